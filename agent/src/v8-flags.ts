/**
 * V8 in lite mode for the agent: the interpreter only, no optimising compilers. The agent's own
 * JavaScript takes a few milliseconds per cycle (its time is in the commands it runs), while the
 * compilers' code and data cost ~7 MB of resident memory on every machine of the ministry
 * (bench/agent-footprint.mjs). Set here, first thing, because NODE_OPTIONS refuses --lite-mode
 * and the single executable has no command line of its own. The agent uses no WebAssembly.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--lite-mode');
