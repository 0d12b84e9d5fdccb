export { openPack, validatePack } from './open-pack';
export type { Pack, OpenPackOptions, ValidationResult, FeedTensor } from './open-pack';
export { ManifestSchema, PACK_FORMAT, ROLES, ROLE_IO } from './manifest-schema';
export type { Manifest, Role } from './manifest-schema';
export { providerCandidates } from './sessions';
