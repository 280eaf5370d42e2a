// The Container schema and everything in it: ports, env, resources, volume mounts, probes,
// lifecycle hooks and the container security context; also ephemeral containers.

import type { Schema } from '../../schema.ts';
import { bool, int32, int64, intOrString, list, listMap, obj, set, str } from '../../schema.ts';
import { keyedList, localObjectReference, resourceList } from './common.ts';
import { objectFieldSelector, resourceFieldSelector } from './volume.ts';

export const containerRestartRuleOnExitCodes: Schema = obj(
  {
    operator: str('Represents the relationship between the container exit code(s) and the specified values.'),
    values: set(int32(), 'Specifies the set of values to check for container exit codes.'),
  },
);

export const containerRestartRule: Schema = obj(
  {
    action: str('Specifies the action taken on a container exit if the requirements are satisfied.'),
    exitCodes: { ...containerRestartRuleOnExitCodes, description: 'Represents the exit codes to check on container exits.' },
  },
);

export const volumeDevice: Schema = obj(
  {
    name: str('name must match the name of a persistentVolumeClaim in the pod.'),
    devicePath: str('devicePath is the path inside of the container that the device will be mapped to.'),
  },
  { required: ['name', 'devicePath'] },
);

export const windowsSecurityContextOptions: Schema = obj(
  {
    gmsaCredentialSpecName: str('GMSACredentialSpecName is the name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: str('GMSACredentialSpec is where the GMSA admission webhook (https://github.com/kubernetes-sigs/windows-gmsa) inlines the contents of the GMSA credential spec named by the GMSACredentialSpecName field.'),
    runAsUserName: str('The UserName in Windows to run the entrypoint of the container process.'),
    hostProcess: bool('HostProcess determines if a container should be run as a \'Host Process\' container.'),
  },
);

export const seLinuxOptions: Schema = obj(
  {
    user: str('User is a SELinux user label that applies to the container.'),
    role: str('Role is a SELinux role label that applies to the container.'),
    type: str('Type is a SELinux type label that applies to the container.'),
    level: str('Level is SELinux level label that applies to the container.'),
  },
);

export const appArmorProfile: Schema = obj(
  {
    type: str('type indicates which kind of AppArmor profile will be applied.'),
    localhostProfile: str('localhostProfile indicates a profile loaded on the node that should be used.'),
  },
  { required: ['type'] },
);

export const capabilities: Schema = obj(
  {
    add: list(str(), 'Added capabilities.', { 'x-kubernetes-list-type': 'atomic' }),
    drop: list(str(), 'Removed capabilities.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const seccompProfile: Schema = obj(
  {
    type: str('type indicates which kind of seccomp profile will be applied.'),
    localhostProfile: str('localhostProfile indicates a profile defined in a file on the node should be used.'),
  },
  { required: ['type'] },
);

export const securityContext: Schema = obj(
  {
    capabilities: { ...capabilities, description: 'The capabilities to add/drop when running containers.' },
    privileged: bool('Run container in privileged mode.'),
    seLinuxOptions: { ...seLinuxOptions, description: 'The SELinux context to be applied to the container.' },
    windowsOptions: { ...windowsSecurityContextOptions, description: 'The Windows specific settings applied to all containers.' },
    runAsUser: int64('The UID to run the entrypoint of the container process.'),
    runAsGroup: int64('The GID to run the entrypoint of the container process.'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    readOnlyRootFilesystem: bool('Whether this container has a read-only root filesystem.'),
    allowPrivilegeEscalation: bool('AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.'),
    procMount: str('procMount denotes the type of proc mount to use for the containers.'),
    seccompProfile: { ...seccompProfile, description: 'The seccomp options to use by this container.' },
    appArmorProfile: { ...appArmorProfile, description: 'appArmorProfile is the AppArmor options to use by this container.' },
  },
);

export const resourceClaim: Schema = obj(
  {
    name: str('Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used.'),
    request: str('Request is the name chosen for a request in the referenced claim.'),
  },
  { required: ['name'] },
);

export const resourceRequirements: Schema = obj(
  {
    limits: resourceList('Limits describes the maximum amount of compute resources allowed.'),
    requests: resourceList('Requests describes the minimum amount of compute resources required.'),
    claims: keyedList(resourceClaim, ['name'], 'Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.'),
  },
);

export const volumeMount: Schema = obj(
  {
    name: str('This must match the Name of a Volume.'),
    readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified).'),
    recursiveReadOnly: str('RecursiveReadOnly specifies whether read-only mounts should be handled recursively.'),
    mountPath: str('Path within the container at which the volume should be mounted.'),
    subPath: str('Path within the volume from which the container\'s volume should be mounted.'),
    mountPropagation: str('mountPropagation determines how mounts are propagated from the host to container and the other way around.'),
    subPathExpr: str('Expanded path within the volume from which the container\'s volume should be mounted.'),
    bindMountOptions: set(str(), 'bindMountOptions is the list of additional bind mount options to apply when mounting this volume into the container.'),
  },
  { required: ['name', 'mountPath'] },
);

export const containerPort: Schema = obj(
  {
    name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod.'),
    hostPort: int32('Number of port to expose on the host.'),
    containerPort: int32('Number of port to expose on the pod\'s IP address.'),
    protocol: str('Protocol for port.', { default: 'TCP' }),
    hostIP: str('What host IP to bind the external port to.'),
  },
  { required: ['containerPort'] },
);

export const configMapEnvSource: Schema = obj(
  {
    ...localObjectReference.properties,
    optional: bool('Specify whether the ConfigMap must be defined.'),
  },
);

export const secretEnvSource: Schema = obj(
  {
    ...localObjectReference.properties,
    optional: bool('Specify whether the Secret must be defined.'),
  },
);

export const envFromSource: Schema = obj(
  {
    prefix: str('Optional text to prepend to the name of each environment variable.'),
    configMapRef: { ...configMapEnvSource, description: 'The ConfigMap to select from.' },
    secretRef: { ...secretEnvSource, description: 'The Secret to select from.' },
  },
);

export const secretKeySelector: Schema = obj(
  {
    ...localObjectReference.properties,
    key: str('The key of the secret to select from.'),
    optional: bool('Specify whether the Secret or its key must be defined.'),
  },
  { required: ['key'] },
);

export const configMapKeySelector: Schema = obj(
  {
    ...localObjectReference.properties,
    key: str('The key to select from the ConfigMap\'s Data field.'),
    optional: bool('Specify whether the ConfigMap or its key must be defined.'),
  },
  { required: ['key'] },
);

export const fileKeySelector: Schema = obj(
  {
    volumeName: str('The name of the volume mount containing the env file.'),
    path: str('The path within the volume from which to select the file.'),
    key: str('The key within the env file.'),
    optional: bool('Specify whether the file or its key must be defined.'),
  },
  { required: ['volumeName', 'path', 'key'] },
);

export const envVarSource: Schema = obj(
  {
    fieldRef: { ...objectFieldSelector, description: 'Selects a field of the pod: supports metadata.name, metadata.namespace, `metadata.labels[\'<KEY>\']`, `metadata.annotations[\'<KEY>\']`, spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.' },
    resourceFieldRef: { ...resourceFieldSelector, description: 'Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory and requests.ephemeral-storage) are currently supported.' },
    configMapKeyRef: { ...configMapKeySelector, description: 'Selects a key of a ConfigMap.' },
    secretKeyRef: { ...secretKeySelector, description: 'Selects a key of a secret in the pod\'s namespace.' },
    fileKeyRef: { ...fileKeySelector, description: 'FileKeyRef selects a key of the env file.' },
  },
);

export const envVar: Schema = obj(
  {
    name: str('Name of the environment variable.'),
    value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables.'),
    valueFrom: { ...envVarSource, description: 'Source for the environment variable\'s value.' },
  },
  { required: ['name'] },
);

export const containerResizePolicy: Schema = obj(
  {
    resourceName: str('Name of the resource to which this resource resize policy applies.'),
    restartPolicy: str('Restart policy to apply when specified resource is resized.'),
  },
  { required: ['resourceName', 'restartPolicy'] },
);

export const tcpSocketAction: Schema = obj(
  {
    port: intOrString('Number or name of the port to access on the container.'),
    host: str('Optional: Host name to connect to, defaults to the pod IP.'),
  },
  { required: ['port'] },
);

export const grpcAction: Schema = obj(
  {
    port: int32('Port number of the gRPC service.'),
    service: str('Service is the name of the service to place in the gRPC HealthCheckRequest (see https://github.com/grpc/grpc/blob/master/doc/health-checking.md).'),
    mode: str('mode specifies the connection mode for the gRPC health probe.'),
  },
  { required: ['port'] },
);

export const execAction: Schema = obj(
  {
    command: list(str(), 'Command is the command line to execute inside the container, the working directory for the command  is root (\'/\') in the container\'s filesystem.', { 'x-kubernetes-list-type': 'atomic' }),
  },
);

export const httpHeader: Schema = obj(
  {
    name: str('The header field name.'),
    value: str('The header field value.'),
  },
  { required: ['name', 'value'] },
);

export const httpGetAction: Schema = obj(
  {
    path: str('Path to access on the HTTP server.'),
    port: intOrString('Name or number of the port to access on the container.'),
    host: str('Host name to connect to, defaults to the pod IP. You probably want to set "Host" in httpHeaders instead.'),
    scheme: str('Scheme to use for connecting to the host.'),
    httpHeaders: list(httpHeader, 'Custom headers to set in the request.', { 'x-kubernetes-list-type': 'atomic' }),
    protocol: str('Protocol selects the wire protocol for the probe connection.'),
  },
  { required: ['port'] },
);

export const probeHandler: Schema = obj(
  {
    exec: { ...execAction, description: 'Exec specifies a command to execute in the container.' },
    httpGet: { ...httpGetAction, description: 'HTTPGet specifies an HTTP GET request to perform.' },
    tcpSocket: { ...tcpSocketAction, description: 'TCPSocket specifies a connection to a TCP port.' },
    grpc: { ...grpcAction, description: 'GRPC specifies a GRPC HealthCheckRequest.' },
  },
);

export const probe: Schema = obj(
  {
    ...probeHandler.properties,
    initialDelaySeconds: int32('Number of seconds after the container has started before liveness probes are initiated.'),
    timeoutSeconds: int32('Number of seconds after which the probe times out.'),
    periodSeconds: int32('How often (in seconds) to perform the probe.'),
    successThreshold: int32('Minimum consecutive successes for the probe to be considered successful after having failed.'),
    failureThreshold: int32('Minimum consecutive failures for the probe to be considered failed after having succeeded.'),
    terminationGracePeriodSeconds: int64('Optional duration in seconds the pod needs to terminate gracefully upon probe failure.'),
  },
);

export const sleepAction: Schema = obj(
  {
    seconds: int64('Seconds is the number of seconds to sleep.'),
  },
  { required: ['seconds'] },
);

export const lifecycleHandler: Schema = obj(
  {
    exec: { ...execAction, description: 'Exec specifies a command to execute in the container.' },
    httpGet: { ...httpGetAction, description: 'HTTPGet specifies an HTTP GET request to perform.' },
    tcpSocket: { ...tcpSocketAction, description: 'Deprecated.' },
    sleep: { ...sleepAction, description: 'Sleep represents a duration that the container should sleep.' },
  },
);

export const lifecycle: Schema = obj(
  {
    postStart: { ...lifecycleHandler, description: 'PostStart is called immediately after a container is created.' },
    preStop: { ...lifecycleHandler, description: 'PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc.' },
    stopSignal: str('StopSignal defines which signal will be sent to a container when it is being stopped.'),
  },
);

export const container: Schema = obj(
  {
    name: str('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL).'),
    image: str('Container image name.'),
    command: list(str(), 'Entrypoint array.', { 'x-kubernetes-list-type': 'atomic' }),
    args: list(str(), 'Arguments to the entrypoint.', { 'x-kubernetes-list-type': 'atomic' }),
    workingDir: str('Container\'s working directory.'),
    ports: listMap(containerPort, ['containerPort', 'protocol'], 'List of ports to expose from the container.'),
    envFrom: list(envFromSource, 'List of sources to populate environment variables in the container.', { 'x-kubernetes-list-type': 'atomic' }),
    env: listMap(envVar, ['name'], 'List of environment variables to set in the container.'),
    resources: { ...resourceRequirements, description: 'Compute Resources required by this container.' },
    resizePolicy: list(containerResizePolicy, 'Resources resize policy for the container.', { 'x-kubernetes-list-type': 'atomic' }),
    restartPolicy: str('RestartPolicy defines the restart behavior of individual containers in a pod.'),
    restartPolicyRules: list(containerRestartRule, 'Represents a list of rules to be checked to determine if the container should be restarted on exit.', { 'x-kubernetes-list-type': 'atomic' }),
    volumeMounts: listMap(volumeMount, ['mountPath'], 'Pod volumes to mount into the container\'s filesystem.'),
    volumeDevices: listMap(volumeDevice, ['devicePath'], 'volumeDevices is the list of block devices to be used by the container.'),
    livenessProbe: { ...probe, description: 'Periodic probe of container liveness.' },
    readinessProbe: { ...probe, description: 'Periodic probe of container service readiness.' },
    startupProbe: { ...probe, description: 'StartupProbe indicates that the Pod has successfully initialized.' },
    lifecycle: { ...lifecycle, description: 'Actions that the management system should take in response to container lifecycle events.' },
    terminationMessagePath: str('Optional: Path at which the file to which the container\'s termination message will be written is mounted into the container\'s filesystem.'),
    terminationMessagePolicy: str('Indicate how the termination message should be populated.'),
    imagePullPolicy: str('Image pull policy.'),
    securityContext: { ...securityContext, description: 'SecurityContext defines the security options the container should be run with.' },
    stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
    stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
    tty: bool('Whether this container should allocate a TTY for itself, also requires \'stdin\' to be true.'),
  },
  { required: ['name'] },
);

export const ephemeralContainerCommon: Schema = obj(
  {
    name: str('Name of the ephemeral container specified as a DNS_LABEL. This name must be unique among all containers, init containers and ephemeral containers.'),
    image: str('Container image name.'),
    command: list(str(), 'Entrypoint array.', { 'x-kubernetes-list-type': 'atomic' }),
    args: list(str(), 'Arguments to the entrypoint.', { 'x-kubernetes-list-type': 'atomic' }),
    workingDir: str('Container\'s working directory.'),
    ports: listMap(containerPort, ['containerPort', 'protocol'], 'Ports are not allowed for ephemeral containers.'),
    envFrom: list(envFromSource, 'List of sources to populate environment variables in the container.', { 'x-kubernetes-list-type': 'atomic' }),
    env: listMap(envVar, ['name'], 'List of environment variables to set in the container.'),
    resources: { ...resourceRequirements, description: 'Resources are not allowed for ephemeral containers.' },
    resizePolicy: list(containerResizePolicy, 'Resources resize policy for the container.', { 'x-kubernetes-list-type': 'atomic' }),
    restartPolicy: str('Restart policy for the container to manage the restart behavior of each container within a pod.'),
    restartPolicyRules: list(containerRestartRule, 'Represents a list of rules to be checked to determine if the container should be restarted on exit.', { 'x-kubernetes-list-type': 'atomic' }),
    volumeMounts: listMap(volumeMount, ['mountPath'], 'Pod volumes to mount into the container\'s filesystem.'),
    volumeDevices: listMap(volumeDevice, ['devicePath'], 'volumeDevices is the list of block devices to be used by the container.'),
    livenessProbe: { ...probe, description: 'Probes are not allowed for ephemeral containers.' },
    readinessProbe: { ...probe, description: 'Probes are not allowed for ephemeral containers.' },
    startupProbe: { ...probe, description: 'Probes are not allowed for ephemeral containers.' },
    lifecycle: { ...lifecycle, description: 'Lifecycle is not allowed for ephemeral containers.' },
    terminationMessagePath: str('Optional: Path at which the file to which the container\'s termination message will be written is mounted into the container\'s filesystem.'),
    terminationMessagePolicy: str('Indicate how the termination message should be populated.'),
    imagePullPolicy: str('Image pull policy.'),
    securityContext: { ...securityContext, description: 'Optional: SecurityContext defines the security options the ephemeral container should be run with.' },
    stdin: bool('Whether this container should allocate a buffer for stdin in the container runtime.'),
    stdinOnce: bool('Whether the container runtime should close the stdin channel after it has been opened by a single attach.'),
    tty: bool('Whether this container should allocate a TTY for itself, also requires \'stdin\' to be true.'),
  },
  { required: ['name'] },
);

export const ephemeralContainer: Schema = obj(
  {
    ...ephemeralContainerCommon.properties,
    targetContainerName: str('If set, the name of the container from PodSpec that this ephemeral container targets.'),
  },
);
