// Wire layout of k8s.io/api rbac, authorization, authentication, certificates (all v1).
// Field numbers and types come from generated.proto, JSON names and zero-value handling from the Go tags
// in types.go (release 1.36, a superset of 1.33). Notation in descriptor.ts.
import type { MessageTable } from './descriptor.ts';

export const rbac: MessageTable = {
  AggregationRule: ['1 clusterRoleSelectors []meta.LabelSelector'],
  ClusterRole: ['1 metadata meta.ObjectMeta', '2 rules []PolicyRule!', '3 aggregationRule AggregationRule'],
  ClusterRoleBinding: ['1 metadata meta.ObjectMeta', '2 subjects []Subject', '3 roleRef RoleRef'],
  PolicyRule: ['1 verbs []string!', '2 apiGroups []string', '3 resources []string', '4 resourceNames []string',
    '5 nonResourceURLs []string'],
  Role: ['1 metadata meta.ObjectMeta', '2 rules []PolicyRule!'],
  RoleBinding: ['1 metadata meta.ObjectMeta', '2 subjects []Subject', '3 roleRef RoleRef'],
  RoleRef: ['1 apiGroup string!', '2 kind string!', '3 name string!'],
  Subject: ['1 kind string!', '2 apiGroup string', '3 name string!', '4 namespace string'],
};

export const authorization: MessageTable = {
  ExtraValue: ['1 [] []string'],
  FieldSelectorAttributes: ['1 rawSelector string', '2 requirements []meta.FieldSelectorRequirement'],
  LabelSelectorAttributes: ['1 rawSelector string', '2 requirements []meta.LabelSelectorRequirement'],
  LocalSubjectAccessReview: ['1 metadata meta.ObjectMeta', '2 spec SubjectAccessReviewSpec',
    '3 status SubjectAccessReviewStatus'],
  NonResourceAttributes: ['1 path string', '2 verb string'],
  NonResourceRule: ['1 verbs []string!', '2 nonResourceURLs []string'],
  ResourceAttributes: ['1 namespace string', '2 verb string', '3 group string', '4 version string',
    '5 resource string', '6 subresource string', '7 name string', '8 fieldSelector FieldSelectorAttributes',
    '9 labelSelector LabelSelectorAttributes'],
  ResourceRule: ['1 verbs []string!', '2 apiGroups []string', '3 resources []string', '4 resourceNames []string'],
  SelfSubjectAccessReview: ['1 metadata meta.ObjectMeta', '2 spec SelfSubjectAccessReviewSpec',
    '3 status SubjectAccessReviewStatus'],
  SelfSubjectAccessReviewSpec: ['1 resourceAttributes ResourceAttributes',
    '2 nonResourceAttributes NonResourceAttributes'],
  SelfSubjectRulesReview: ['1 metadata meta.ObjectMeta', '2 spec SelfSubjectRulesReviewSpec',
    '3 status SubjectRulesReviewStatus'],
  SelfSubjectRulesReviewSpec: ['1 namespace string'],
  SubjectAccessReview: ['1 metadata meta.ObjectMeta', '2 spec SubjectAccessReviewSpec',
    '3 status SubjectAccessReviewStatus'],
  SubjectAccessReviewSpec: ['1 resourceAttributes ResourceAttributes',
    '2 nonResourceAttributes NonResourceAttributes', '3 user string', '4 groups []string',
    '5 extra map<string,ExtraValue>', '6 uid string'],
  SubjectAccessReviewStatus: ['1 allowed bool!', '2 reason string', '3 evaluationError string', '4 denied bool'],
  SubjectRulesReviewStatus: ['1 resourceRules []ResourceRule!', '2 nonResourceRules []NonResourceRule!',
    '3 incomplete bool!', '4 evaluationError string'],
};

export const authentication: MessageTable = {
  BoundObjectReference: ['1 kind string', '2 apiVersion string', '3 name string', '4 uid string'],
  ExtraValue: ['1 [] []string'],
  SelfSubjectReview: ['1 metadata meta.ObjectMeta', '2 status SelfSubjectReviewStatus'],
  SelfSubjectReviewStatus: ['1 userInfo UserInfo'],
  TokenRequest: ['1 metadata meta.ObjectMeta', '2 spec TokenRequestSpec', '3 status TokenRequestStatus'],
  TokenRequestSpec: ['1 audiences []string!', '3 boundObjectRef BoundObjectReference!', '4 expirationSeconds int64!'],
  TokenRequestStatus: ['1 token string!', '2 expirationTimestamp meta.Time'],
  TokenReview: ['1 metadata meta.ObjectMeta', '2 spec TokenReviewSpec', '3 status TokenReviewStatus'],
  TokenReviewSpec: ['1 token string', '2 audiences []string'],
  TokenReviewStatus: ['1 authenticated bool', '2 user UserInfo', '3 error string', '4 audiences []string'],
  UserInfo: ['1 username string', '2 uid string', '3 groups []string', '4 extra map<string,ExtraValue>'],
};

export const certificates: MessageTable = {
  CertificateSigningRequest: ['1 metadata meta.ObjectMeta', '2 spec CertificateSigningRequestSpec',
    '3 status CertificateSigningRequestStatus'],
  CertificateSigningRequestCondition: ['1 type string!', '2 reason string', '3 message string',
    '4 lastUpdateTime meta.Time', '5 lastTransitionTime meta.Time', '6 status string!'],
  CertificateSigningRequestSpec: ['1 request bytes!', '2 username string', '3 uid string', '4 groups []string',
    '5 usages []string', '6 extra map<string,ExtraValue>', '7 signerName string!', '8 expirationSeconds int32!'],
  CertificateSigningRequestStatus: ['1 conditions []CertificateSigningRequestCondition', '2 certificate bytes'],
  ExtraValue: ['1 [] []string'],
};
