// The Kubernetes version k8ts implements: what the API server's /version reports and what the
// kubelet and kube-proxy put in a Node's nodeInfo.

export const kubernetesVersion = { major: '1', minor: '33', gitVersion: 'v1.33.0' } as const;
