/** Builds the inspector's UI (inspect/ui/) into `outdir`: index.html, app.js, app.css. */
export function buildInspectorUi(outdir: string): Promise<void>;
