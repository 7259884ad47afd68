export * from './report.js';
export * from './enroll.js';
export * from './relay.js';
export * from './reasons/index.js';
export * from './retry.js';
