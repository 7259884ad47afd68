/**
 * Valid reports for tests: the one sample-report builder (collector/src/simulate/
 * sample-report.ts), shared with the benchmarks and the simulator.
 */
export { BASELINE_CHECKS, sampleReport, type SampleReportOptions as SampleOptions } from '../collector/src/simulate/sample-report.js';
