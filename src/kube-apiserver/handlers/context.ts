// What every request handler is given.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '../../machinery/clock.ts';
import type { Authorizer } from '../auth/authorizer.ts';
import type { ServiceAccountTokens } from '../auth/service-account-tokens.ts';
import type { UserInfo } from '../auth/user.ts';
import type { RequestInfo } from '../http/request-info.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import type { ApiResource, ResourceRegistry } from '../registry/resources.ts';
import type { ServiceAllocator } from '../registry/service-allocator.ts';
import type { KubeletClientConfig } from '../kubelet/kubelet-client.ts';

export interface ServerContext {
  registry: ResourceRegistry;
  clock: Clock;
  authorizer: Authorizer;
  serviceAllocator: ServiceAllocator;
  tokens: ServiceAccountTokens;
  /** The registry store serving a resource. */
  storeFor(resource: ApiResource): ResourceStore;
  /** Stops long-running requests (watches) when the server shuts down. */
  signal: AbortSignal;
  /** How to reach kubelets (pods/log and the streams); set once the PKI is ready. */
  kubeletClient?: KubeletClientConfig;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  info: RequestInfo;
  user: UserInfo;
  server: ServerContext;
  /** Warning headers to send (field validation, deprecations). */
  warnings: string[];
}
