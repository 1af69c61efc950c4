import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'vite';

// Built with a relative base: the service serves index.html with a <base href="<API_BASE_PATH>/ui/"> so the assets
// and the API resolve under any prefix (src/modules/ui/operator-ui.ts). Nothing here knows the prefix.
export default defineConfig({
  base: './',
  plugins: [tailwindcss()],
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      // React Query's "use client" directives mean nothing in a client-only bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
