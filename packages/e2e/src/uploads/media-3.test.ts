/**
 * The sample media acceptance, part 3 of 3: files of the sample media folder uploaded through the API
 * (see ../testing/media-suite.ts). Three files because the runner gives each 5 minutes.
 */
import { mediaAcceptanceSuite } from '../testing/media-suite.js';

mediaAcceptanceSuite(3, 3);
