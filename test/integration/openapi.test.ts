import { openApiDocument } from '../../server/http/openapi';
import { startHarness, type Harness } from '../support/harness';
import { testDatabaseKinds } from '../support/databases';

/** A layer of Express 5's router: a route, or a router mounted at `rawPath`. */
interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
  rawPath?: string | string[];
}

function routesOf(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) return [layer.route.path].flat().flatMap((path) => Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${prefix}${path}`));
    if (!layer.handle.stack) return [];
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    return routesOf(layer.handle.stack, `${prefix}${mount}`);
  });
}

/** Doors that are not the API: links inside sent messages, providers' callbacks in their formats, Prometheus, the web app. */
const NOT_THE_API = [/^(GET|POST) \/t\//, /^POST \/webhooks\//, /^GET \/metrics$/, /^GET \/$/, /^GET \/board\//];

describe.each(testDatabaseKinds())('the OpenAPI document on %s', (kind) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness(kind);
  });
  afterAll(async () => {
    await harness.close();
  });

  it('names every route the server answers, the studio’s included', () => {
    const paths = openApiDocument().paths as Record<string, Record<string, unknown>>;
    const routes = routesOf((harness.app as unknown as { router: { stack: Layer[] } }).router.stack).filter((route) => !NOT_THE_API.some((pattern) => pattern.test(route)));
    const missing = routes.filter((route) => {
      const [method = '', path = ''] = route.split(' ');
      const documented = path.replace(/:(\w+)/g, '{$1}').replace(/(.)\/$/, '$1');
      return !paths[documented]?.[method.toLowerCase()];
    });
    expect(routes).toEqual(expect.arrayContaining(['GET /api/automation/', 'POST /api/config/validate', 'POST /api/config/apply', 'GET /api/config/versions/:id', 'GET /api/templates/:id/preview']));
    expect(missing).toEqual([]);
  });

  it('gives the studio’s bodies and parameters from the schemas the handlers parse with', async () => {
    const document = (await harness.as('root').get('/api/openapi.json').expect(200)).body;
    const apply = document.paths['/api/config/apply'].post.requestBody.content['application/json'].schema;
    expect(apply.required).toEqual(['yaml', 'base_hash']);
    expect(apply.properties.base_hash.pattern).toBe('^[0-9a-f]{64}$');
    const validate = document.paths['/api/config/validate'].post.responses[200].content['application/json'].schema;
    expect(Object.keys(validate.properties.errors.items.properties)).toEqual(expect.arrayContaining(['line', 'col', 'message', 'code', 'params', 'suggestion']));
    expect(document.paths['/api/templates/{id}/preview'].get.parameters.map((parameter: { name: string; in: string }) => `${parameter.in}:${parameter.name}`)).toEqual(['path:id', 'query:item']);
  });
});
