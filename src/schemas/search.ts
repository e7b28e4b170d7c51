import { Type, type Static } from 'typebox';
import { ref } from './ref.ts';
import { Envelope } from './common.ts';

export const MATCHING_METHODS = ['EXACT', 'CONTAINS', 'STARTSWITH'] as const;

export const SearchQuery = Type.Object(
  {
    key: Type.String({
      maxLength: 64,
      description: 'The field to match: id, name, service, disabled, creatorId, updaterId, lastProcessorId, lastError, or freetext (name and service)',
    }),
    value: Type.Optional(Type.String({ maxLength: 1024, description: 'The value to match' })),
    values: Type.Optional(
      Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000, description: 'Several values; an item matches when any of them matches' }),
    ),
    matchingMethod: Type.Optional(
      Type.String({ maxLength: 16, description: 'EXACT, CONTAINS (default) or STARTSWITH; CONTAINS and STARTSWITH ignore letter case' }),
    ),
    negated: Type.Optional(Type.Boolean({ description: 'Keep the items that do NOT match (default false)' })),
  },
  { $id: 'SearchQuery', description: 'One condition of a search; all conditions of a request must hold' },
);

export const Sorting = Type.Object(
  {
    field: Type.String({ maxLength: 64, description: 'Field to sort by: name, service, id, disabled, createdEpochMillis, updatedEpochMillis, serviceRefreshRateInMins' }),
    ascending: Type.Optional(Type.Boolean({ description: 'Ascending when true or absent' })),
    default: Type.Optional(Type.Boolean({ description: 'Accepted for compatibility; ignored' })),
  },
  { $id: 'Sorting', description: 'Sort order of search results' },
);

export const SortableSearchRequest = Type.Object(
  {
    query: Type.Optional(Type.Array(ref(SearchQuery), { maxItems: 50, description: 'Conditions, AND-ed; at most 400 values in all of them' })),
    sort: Type.Optional(ref(Sorting)),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Index of the first result (default 0)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Page size (default 100, at most 1000)' })),
  },
  { $id: 'SortableSearchRequest', description: 'A paged, sorted search over integrations' },
);
export type SortableSearchRequest = Static<typeof SortableSearchRequest>;

const facetQueryFields = {
  query: Type.Optional(Type.Array(ref(SearchQuery), { maxItems: 50, description: 'Conditions, AND-ed, selecting the integrations whose values are listed; at most 400 values in all of them' })),
  facetQuery: Type.Optional(Type.String({ maxLength: 1024, description: 'Keep only facet values that match this text' })),
  facetQueryMatchingMethod: Type.Optional(Type.String({ maxLength: 16, description: 'How facetQuery matches: EXACT, CONTAINS (default) or STARTSWITH' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'How many values to return per facet (default 100)' })),
};

export const FacetsSearchRequestContainer = Type.Object(
  {
    ...facetQueryFields,
    facets: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20, description: 'The fields whose distinct values to list (default: every facet field)' })),
  },
  { $id: 'FacetsSearchRequestContainer', description: 'Which distinct values of several fields to list' },
);
export type FacetsSearchRequestContainer = Static<typeof FacetsSearchRequestContainer>;

export const FacetSearchRequestContainer = Type.Object(
  {
    ...facetQueryFields,
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Index of the first value (default 0)' })),
  },
  { $id: 'FacetSearchRequestContainer', description: 'Which distinct values of one field to list' },
);
export type FacetSearchRequestContainer = Static<typeof FacetSearchRequestContainer>;

export const FacetsResponseContainer = Type.Object(
  {
    facets: Type.Unsafe<Record<string, string[]>>({
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' } },
      description: 'For each facet field, its distinct values',
    }),
    limit: Type.Integer({ description: 'The per-facet limit applied' }),
  },
  { $id: 'FacetsResponseContainer', description: 'Distinct values of several fields' },
);

export const FacetResponse = Type.Object(
  {
    items: Type.Array(Type.String(), { description: 'Distinct values of the field' }),
    offset: Type.Integer({ description: 'Index of the first value' }),
    limit: Type.Integer({ description: 'Page size' }),
    totalItems: Type.Integer({ description: 'How many distinct values match in all' }),
    moreItems: Type.Boolean({ description: 'True when values remain after this page' }),
  },
  { $id: 'FacetResponse', description: 'A page of distinct values of one field' },
);

export const ResponseContainerFacetsResponseContainer = Envelope(
  'ResponseContainerFacetsResponseContainer',
  ref(FacetsResponseContainer),
  'Facet values in the response envelope',
);
export const ResponseContainerFacetResponse = Envelope(
  'ResponseContainerFacetResponse',
  ref(FacetResponse),
  'One facet\'s values in the response envelope',
);

export const FacetParams = Type.Object({
  facet: Type.String({ maxLength: 64, description: 'The field whose distinct values to list' }),
});
