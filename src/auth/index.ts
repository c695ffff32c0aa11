/** Authentication: password hashing, session tokens and the service that ties them together. */
export { AuthService, DEFAULT_TOKEN_TTL_MS, loginResponse, toAuthUser } from './auth-service.ts';
export type { AccessChange, AccessListener, AuthServiceOptions, AuthUser, LoginAttempt, LoginResult, TokenCheck, TokenFailure } from './auth-service.ts';
export { HashPool, HashPoolBusy, defaultHashConcurrency } from './hash-pool.ts';
export { DEFAULT_THROTTLE, LoginThrottle, type LoginThrottleOptions, type ThrottlePolicy } from './login-throttle.ts';
export { DEFAULT_SCRYPT, hashPassword, needsRehash, parseHash, verifyPassword, type ScryptParams } from './password.ts';
export { hashToken, newToken } from './tokens.ts';
