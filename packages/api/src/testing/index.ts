export { listenTestApi, registerSources, type TestApi, type TestApiOptions } from './test-api.js';
export { AS_ADMIN, TEST_API_KEY } from './harness.js';
export { launchWithPage, type OpenedPage } from './browser.js';
