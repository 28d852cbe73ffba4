/** Builds the inspector's UI (inspect/ui/) into `outdir`: index.html, app.js, app.css, elk-worker.js. */
export function buildInspectorUi(outdir: string): Promise<void>;
