import { z } from 'zod';

/**
 * Preloaded into every worker thread's workflow context before any workflow runs (worker/workflow-bundling.ts), so
 * all cached workflows share one zod instead of each evaluating its ~95 modules again: ~700 KiB a workflow, 64 of
 * those modules being locales. The domain's schemas stay per workflow; only the library is shared.
 *
 * The SDK deep-freezes what is preloaded, and zod fills two module values lazily: its default locale, on the first
 * schema built, and its probe of whether `new Function` works, on the first object parse. A frozen zod would throw
 * on either, so both happen here, before the freeze.
 */
z.object({ shared: z.string() }).parse({ shared: '' });
