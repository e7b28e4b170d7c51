import { Type, type Static, type TSchema } from 'typebox';

/**
 * A `$ref` to a named shared schema that keeps the referenced schema's static type. Shared schemas are
 * registered once (see registry.ts) and show up in OpenAPI as `components.schemas.<$id>`.
 */
export function ref<T extends TSchema & { $id?: string }>(schema: T) {
  if (!schema.$id) throw new Error('ref() needs a schema with $id');
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

/** A string → string map (AWS tags, point tags, annotations), in a shape OpenAPI 3.0 can describe. */
export function StringMap(options: { description: string; maxProperties?: number; maxKeyLength?: number; maxValueLength?: number }) {
  return Type.Unsafe<Record<string, string>>({
    type: 'object',
    description: options.description,
    additionalProperties: { type: 'string', maxLength: options.maxValueLength ?? 1024 },
    ...(options.maxProperties ? { maxProperties: options.maxProperties } : {}),
    ...(options.maxKeyLength ? { propertyNames: { maxLength: options.maxKeyLength } } : {}),
  });
}
