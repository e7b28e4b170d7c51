import { Type, type TSchema } from 'typebox';

export const ResponseStatus = Type.Object(
  {
    result: Type.String({ enum: ['OK', 'ERROR'], description: 'OK on success, ERROR otherwise' }),
    message: Type.String({ description: 'Empty on success; on failure a sentence saying what went wrong' }),
    code: Type.Integer({ description: 'The HTTP status code of the response, repeated' }),
  },
  { $id: 'ResponseStatus', description: 'Outcome of a request, present in every enveloped response' },
);

export const ErrorResponse = Type.Object(
  { status: Type.Unsafe({ $ref: 'ResponseStatus#' }) },
  { $id: 'ErrorResponse', description: 'The envelope of every error response' },
);

/** `{status, response}`: the Wavefront response container around a payload. */
export function Envelope<T extends TSchema>(id: string, payload: T, description: string) {
  return Type.Object(
    {
      status: Type.Unsafe({ $ref: 'ResponseStatus#' }),
      response: payload,
    },
    { $id: id, description },
  );
}

/** The paged list shape shared by list and search endpoints. */
export function Paged<T extends TSchema>(id: string, item: T, description: string) {
  return Type.Object(
    {
      items: Type.Array(item, { description: 'The items of this page' }),
      offset: Type.Integer({ description: 'Index of the first item of this page in the whole result' }),
      limit: Type.Integer({ description: 'The page size that was asked for' }),
      totalItems: Type.Integer({ description: 'How many items match in all' }),
      moreItems: Type.Boolean({ description: 'True when items remain after this page' }),
      cursor: Type.Optional(Type.String({ description: 'Where the next page starts, when the endpoint pages by cursor' })),
    },
    { $id: id, description },
  );
}

export const PagingQuery = Type.Object({
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Index of the first item to return' }),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'How many items to return (at most 1000)' }),
});

export const IdParams = Type.Object({
  id: Type.String({ maxLength: 64, description: 'The integration id (a lowercase UUID)' }),
});

/** The largest epoch-millisecond time a JavaScript Date can hold. */
export const MAX_EPOCH_MS = 8_640_000_000_000_000;

/** An optional epoch-millisecond time in a query string. */
export const OptionalEpochMs = (description: string) =>
  Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_EPOCH_MS, description: `${description} (epoch milliseconds)` }));
