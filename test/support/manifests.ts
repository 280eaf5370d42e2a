// Manifests the end-to-end tests apply with kubectl: a Deployment whose pods carry the label
// app=<name>, selected by it.

export function deployment(name: string, replicas: number, podSpec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: podSpec },
    },
  });
}
