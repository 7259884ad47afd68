/** Entry point of the single-file bundle and the single executable (CommonJS: no top-level await). */
import { main } from './cli.js';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
