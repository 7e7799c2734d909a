import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

type Json = Record<string, unknown>;
type Operation = { parameters?: Array<{ name: string; in: string; schema: { pattern: string } }>; responses: Record<string, Json> };

/** One answer of the api as a test saw it. */
export interface Recorded {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * Checks recorded answers against an OpenAPI 3.1 document: each must belong to a documented
 * operation and status (or the default error), and a JSON body must validate against its schema.
 */
export function openApiChecker(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const components = document.components as { schemas: Record<string, Json>; responses: Record<string, Json> };
  const compiled = new Map<Json, ValidateFunction>();
  const paths = Object.entries(document.paths as Record<string, Record<string, Operation>>).map(([template, item]) => ({
    item,
    regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_, name: string) => {
      const pattern = Object.values(item).flatMap((op) => op.parameters ?? []).find((p) => p.name === name)?.schema.pattern ?? '^[^/]+$';
      return `(${pattern.replace(/^\^/, '').replace(/\$$/, '')})`;
    })}$`),
  }));

  const resolve = (response: Json): Json => (typeof response.$ref === 'string' ? (components.responses[response.$ref.split('/').pop() as string] as Json) : response);
  const schemaOf = (schema: Json): Json => (typeof schema.$ref === 'string' ? (components.schemas[schema.$ref.split('/').pop() as string] as Json) : schema);

  /** Problems with one answer; empty when it matches the document. */
  return function check(answer: Recorded): string[] {
    const pathOnly = answer.path.split('?')[0] as string;
    const item = paths.find((entry) => entry.regex.test(pathOnly))?.item;
    const operation = item?.[answer.method.toLowerCase()];
    // A documented path asked with another method answers 405 in the common error shape.
    const wrongMethod = item && !operation && answer.status === 405 ? { $ref: '#/components/responses/Error' } : undefined;
    if (!operation && !wrongMethod) return [`${answer.method} ${pathOnly} is not in the document`];
    const documented = wrongMethod ?? operation?.responses[String(answer.status)] ?? operation?.responses.default;
    if (!documented) return [`${answer.method} ${pathOnly} answered ${answer.status}, which is not documented`];
    const content = (resolve(documented).content ?? {}) as Record<string, { schema: Json }>;
    // A status documented without a body (304) must come without one.
    if (Object.keys(content).length === 0) return answer.contentType && answer.body !== '' && answer.body !== undefined ? [`${answer.method} ${pathOnly} ${answer.status} has a body; documented without one`] : [];
    const mediaType = answer.contentType.split(';')[0]?.trim() ?? '';
    const entry = content[mediaType];
    if (!entry) return [`${answer.method} ${pathOnly} ${answer.status} answered ${mediaType}; documented: ${Object.keys(content).join(', ')}`];
    if (mediaType !== 'application/json') return [];
    const schema = schemaOf(entry.schema);
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    return validate(answer.body) ? [] : [`${answer.method} ${pathOnly} ${answer.status}: ${ajv.errorsText(validate.errors)}`];
  };
}
