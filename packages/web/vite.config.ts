import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The platform serves dist/ at `/`; `npm run dev -w @mooring/web` proxies /api to a local platform.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': process.env.MOORING_URL ?? 'http://127.0.0.1:8400' } },
});
