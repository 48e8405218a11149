// Look-alikes of the browser globals @kdkit/backend reads, for tests in Node.

/** A `document` whose canvases have a WebGL context naming `renderer` (or none when `null`). */
export function fakeDocument(renderer: string | null) {
  const gl = {
    RENDERER: 0x1f01,
    getExtension: (name: string) =>
      name === 'WEBGL_debug_renderer_info'
        ? { UNMASKED_RENDERER_WEBGL: 0x9246 }
        : name === 'WEBGL_lose_context'
          ? { loseContext: () => undefined }
          : null,
    getParameter: (parameter: number) => (parameter === 0x9246 ? renderer : 'WebKit WebGL'),
  };
  return {
    createElement: (_tag: 'canvas') => ({
      getContext: (kind: string) => (renderer !== null && kind === 'webgl2' ? gl : null),
    }),
  };
}
