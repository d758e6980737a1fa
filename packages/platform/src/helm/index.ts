export { registerHelmRoutes } from './routes.ts';
export { maskManifestSecrets } from './secretMasking.ts';
export { agentRefusal, HelmService } from './service.ts';
