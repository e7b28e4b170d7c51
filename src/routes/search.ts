import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  FacetParams,
  FacetSearchRequestContainer,
  FacetsSearchRequestContainer,
  ResponseContainerFacetResponse,
  ResponseContainerFacetsResponseContainer,
  SortableSearchRequest,
} from '../schemas/search.ts';
import { ResponseContainerPagedCloudIntegration } from '../schemas/cloudIntegration.ts';
import { ref } from '../schemas/ref.ts';
import type { SearchService } from '../services/api/search.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['Search'];
const searchDescription =
  'Conditions are AND-ed. Results are paged and sorted (creation order unless sort says otherwise). New integrations are visible at once.';

export const searchRoutes: FastifyPluginAsyncTypebox<{ search: SearchService }> = async (app, { search }) => {
  app.post('/api/v2/search/cloudintegration', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchCloudIntegrationEntities',
      summary: 'Search integrations not in the trash',
      description: searchDescription,
      body: ref(SortableSearchRequest),
      response: { 200: ref(ResponseContainerPagedCloudIntegration), ...errorResponses },
    },
  }, async (request) => ok(await search.search(request.principal, false, request.body ?? {})));

  app.post('/api/v2/search/cloudintegration/facets', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchCloudIntegrationForFacets',
      summary: 'List distinct values of several fields over integrations not in the trash',
      body: ref(FacetsSearchRequestContainer),
      response: { 200: ref(ResponseContainerFacetsResponseContainer), ...errorResponses },
    },
  }, async (request) => ok(await search.facets(request.principal, false, request.body ?? {})));

  app.post('/api/v2/search/cloudintegration/:facet', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchCloudIntegrationForFacet',
      summary: 'List distinct values of one field over integrations not in the trash',
      params: FacetParams,
      body: ref(FacetSearchRequestContainer),
      response: { 200: ref(ResponseContainerFacetResponse), ...errorResponses },
    },
  }, async (request) => ok(await search.facet(request.principal, false, request.params.facet, request.body ?? {})));

  app.post('/api/v2/search/cloudintegration/deleted', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchDeletedCloudIntegrationEntities',
      summary: 'Search integrations in the trash',
      description: searchDescription,
      body: ref(SortableSearchRequest),
      response: { 200: ref(ResponseContainerPagedCloudIntegration), ...errorResponses },
    },
  }, async (request) => ok(await search.search(request.principal, true, request.body ?? {})));

  app.post('/api/v2/search/cloudintegration/deleted/facets', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchDeletedCloudIntegrationForFacets',
      summary: 'List distinct values of several fields over integrations in the trash',
      body: ref(FacetsSearchRequestContainer),
      response: { 200: ref(ResponseContainerFacetsResponseContainer), ...errorResponses },
    },
  }, async (request) => ok(await search.facets(request.principal, true, request.body ?? {})));

  app.post('/api/v2/search/cloudintegration/deleted/:facet', {
    config: { access: 'read' },
    schema: {
      tags,
      operationId: 'searchDeletedCloudIntegrationForFacet',
      summary: 'List distinct values of one field over integrations in the trash',
      params: FacetParams,
      body: ref(FacetSearchRequestContainer),
      response: { 200: ref(ResponseContainerFacetResponse), ...errorResponses },
    },
  }, async (request) => ok(await search.facet(request.principal, true, request.params.facet, request.body ?? {})));
};
