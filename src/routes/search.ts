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
import type { SearchService } from '../services/search.ts';
import { errorResponses, ok } from './envelope.ts';

const tags = ['Search'];

export const searchRoutes: FastifyPluginAsyncTypebox<{ search: SearchService }> = async (app, { search }) => {
  for (const trashed of [false, true]) {
    const base = trashed ? '/api/v2/search/cloudintegration/deleted' : '/api/v2/search/cloudintegration';
    const which = trashed ? 'integrations in the trash' : 'integrations not in the trash';
    const suffix = trashed ? 'DeletedCloudIntegration' : 'CloudIntegration';

    app.post(base, {
      config: { access: 'read' },
      schema: {
        tags,
        operationId: `search${suffix}Entities`,
        summary: `Search ${which}`,
        description: 'Conditions are AND-ed. Results are paged and sorted (creation order unless sort says otherwise). New integrations are visible at once.',
        body: ref(SortableSearchRequest),
        response: { 200: ref(ResponseContainerPagedCloudIntegration), ...errorResponses },
      },
    }, async (request) => ok(await search.search(request.principal, trashed, request.body ?? {})));

    app.post(`${base}/facets`, {
      config: { access: 'read' },
      schema: {
        tags,
        operationId: `search${suffix}ForFacets`,
        summary: `List distinct values of several fields over ${which}`,
        body: ref(FacetsSearchRequestContainer),
        response: { 200: ref(ResponseContainerFacetsResponseContainer), ...errorResponses },
      },
    }, async (request) => ok(await search.facets(request.principal, trashed, request.body ?? {})));

    app.post(`${base}/:facet`, {
      config: { access: 'read' },
      schema: {
        tags,
        operationId: `search${suffix}ForFacet`,
        summary: `List distinct values of one field over ${which}`,
        params: FacetParams,
        body: ref(FacetSearchRequestContainer),
        response: { 200: ref(ResponseContainerFacetResponse), ...errorResponses },
      },
    }, async (request) => ok(await search.facet(request.principal, trashed, request.params.facet, request.body ?? {})));
  }
};
