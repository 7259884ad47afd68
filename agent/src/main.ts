/** Entry point of the single-file bundle and the single executable (CommonJS: no top-level await). */
// First: flags for V8 before the rest of the agent is compiled.
import './v8-flags.js';
import { main } from './cli.js';

void main(process.argv).then((code) => {
  process.exitCode = code;
});
