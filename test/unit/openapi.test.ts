import { describe, expect, it } from 'vitest';
import { apiRoutes, type ApiDependencies } from '../../functions/handlers/api.js';
import { openApiDocument } from '../../functions/handlers/openapi.js';

type Operation = { parameters?: Array<{ name: string; in: string; example?: string }>; security: unknown[]; responses: Record<string, unknown> };
const document = openApiDocument() as { openapi: string; paths: Record<string, Record<string, Operation>> };
// Building the routes touches none of the dependencies; references are given so their routes exist.
const routes = apiRoutes({ references: {} } as unknown as ApiDependencies);

/** A documented path with its parameters filled by their examples, as a request would have it. */
const examplePath = (template: string, operation: Operation) =>
  template.replace(/\{(\w+)\}/g, (_, name: string) => operation.parameters?.find((p) => p.name === name && p.in === 'path')?.example ?? `missing-example-${name}`);

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and serialisable', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(() => JSON.stringify(document)).not.toThrow();
  });

  it.each(routes.map((route) => ({ method: route.method, pattern: route.pattern })))('documents $method $pattern', ({ method, pattern }) => {
    const documented = Object.entries(document.paths).filter(([template, item]) => item[method.toLowerCase()] && pattern.test(examplePath(template, item[method.toLowerCase()] as Operation)));
    expect(documented.map(([template]) => template), `${method} ${pattern} is routed but not in the OpenAPI document`).toHaveLength(1);
  });

  it('documents no route the router lacks', () => {
    for (const [template, item] of Object.entries(document.paths)) {
      if (template === '/healthz') continue; // answered before the router
      for (const [method, operation] of Object.entries(item)) {
        const path = examplePath(template, operation);
        expect(routes.some((route) => route.method === method.toUpperCase() && route.pattern.test(path)), `${method} ${template}`).toBe(true);
      }
    }
  });

  it('marks only the document itself and the health check as public, and gives every operation the error shape', () => {
    const open = Object.entries(document.paths).flatMap(([template, item]) => Object.entries(item).filter(([, op]) => op.security.length === 0).map(([method]) => `${method} ${template}`));
    expect(open.sort()).toEqual(['get /healthz', 'get /v1/openapi.json']);
    for (const item of Object.values(document.paths)) for (const op of Object.values(item)) expect(op.responses.default).toEqual({ $ref: '#/components/responses/Error' });
  });
});
