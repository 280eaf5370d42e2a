// The one table of cloud providers --cloud-provider may name (upstream's cloudprovider registry):
// each builds its provider from the cloud config. Adding a provider is one entry here and an
// implementation of cloudprovider/cloud.ts; the controllers do not change.

import type { Clock } from '../machinery/clock.ts';
import type { CloudProvider } from './cloudprovider/cloud.ts';
import type { CloudConfig } from './config.ts';
import { createExternalProvider } from './providers/external/external.ts';
import { createLocalProvider } from './providers/local/local.ts';

export type ProviderFactory = (config: CloudConfig, options: { clock?: Clock }) => CloudProvider;

export const cloudProviders: Record<string, ProviderFactory> = {
  local: createLocalProvider,
  external: createExternalProvider,
};

export function createCloudProvider(name: string, config: CloudConfig = {}, options: { clock?: Clock } = {}): CloudProvider {
  const factory = cloudProviders[name];
  if (!factory) throw new Error(`unknown cloud provider ${JSON.stringify(name)} (known: ${Object.keys(cloudProviders).join(', ')})`);
  return factory(config, options);
}
