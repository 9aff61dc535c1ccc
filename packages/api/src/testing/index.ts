export { listenTestApi, registerSources, type TestApi, type TestApiOptions } from './test-api.js';
export { chromiumPath, launchWithPage, type OpenedPage } from './browser.js';
