export { runWorker } from './server.js';
export { buildWorkerApp, type WorkerAppDependencies } from './http/app.js';
export { loadReportFields, startLoadReports, type LoadSnapshot, type WorkerIdentity } from './load/report.js';
