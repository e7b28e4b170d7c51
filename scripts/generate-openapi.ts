// npm run openapi: regenerates openapi/openapi.json from the app's route schemas, and the provisioning
// file's JSON Schema (openapi/skyport-file.schema.json) from its TypeBox schema.
import { writeFile } from 'node:fs/promises';
import { generateOpenApi } from '../src/openapi.ts';
import { FILE_SCHEMA_PATH, fileJsonSchema } from '../src/provision/fileSchema.ts';

await writeFile(new URL('../openapi/openapi.json', import.meta.url), await generateOpenApi());
console.log('wrote openapi/openapi.json');
await writeFile(new URL(`../${FILE_SCHEMA_PATH}`, import.meta.url), fileJsonSchema());
console.log(`wrote ${FILE_SCHEMA_PATH}`);
