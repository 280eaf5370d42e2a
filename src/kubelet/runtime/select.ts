// The runtimes a kubelet can be started with, by name.

import { createCriRuntime } from './cri/runtime.ts';
import { createFakeRuntime } from './fake/runtime.ts';
import { createProcessRuntime } from './process/runtime.ts';
import type { ContainerRuntime } from './runtime.ts';

export const runtimeNames = ['process', 'fake', 'cri'] as const;
export type RuntimeName = (typeof runtimeNames)[number];

export interface RuntimeSelection {
  /** Runtime state (process: one directory per sandbox). */
  rootDir: string;
  nodeIP: string;
  /** Where sandbox IPs come from (process: optional, nodeIP for all without it). */
  podCIDR?: string;
}

export function createRuntime(name: RuntimeName, options: RuntimeSelection): ContainerRuntime {
  if (name === 'cri') return createCriRuntime();
  if (name === 'fake') return createFakeRuntime({ podCIDR: options.podCIDR, nodeIP: options.nodeIP });
  return createProcessRuntime({ rootDir: options.rootDir, nodeIP: options.nodeIP, podCIDR: options.podCIDR });
}
