/**
 * Entry point run inside a fresh network and mount namespace for production's bill run: the
 * capture server first, then the billing service with this process's arguments.
 */
import { enterCapture } from '../../sample-platform/control/enter-capture.js';

await enterCapture();
await import('../service/main.js');
