import { defineConfig } from 'vite';

// The output folder is given on the command line (`vite build --outDir DIR`);
// CMake passes `${CMAKE_BINARY_DIR}/dashboard`.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2021',
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
});
