export * from './report.js';
export * from './enroll.js';
