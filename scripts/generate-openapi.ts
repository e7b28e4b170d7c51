// npm run openapi: regenerates openapi/openapi.json from the app's route schemas.
import { writeFile } from 'node:fs/promises';
import { generateOpenApi } from '../src/openapi.ts';

await writeFile(new URL('../openapi/openapi.json', import.meta.url), await generateOpenApi());
console.log('wrote openapi/openapi.json');
