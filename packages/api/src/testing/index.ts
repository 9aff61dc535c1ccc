export { listenTestApi, registerSources, type TestApi, type TestApiOptions } from './test-api.js';
export { launchWithPage, type OpenedPage } from './browser.js';
