// Public surface: named exports only. Each module adds its own lines here.
export { StormError, isStormError } from './errors.js'
export type { StormErrorCode } from './errors.js'
export { VERSION } from './version.js'
export type {
  Level, WrapperKind, Source, Envelope, AddressToken, BfdState,
  LportClaimEvent, LportChassisChangeEvent, LportClaimAddressesEvent, LportReleaseEvent,
  LportClaimPostponedEvent, LportNotClaimingEvent, LportSbStateEvent, LportOvnInstalledEvent,
  IfStatusClaimEvent, IfaceAddedEvent, IfaceDeletedEvent, PortAddFailedEvent, OfportAllocFailedEvent,
  OfprotoNonexistentPortEvent, BfdStateChangeEvent, VlogDroppedEvent, VlogEvent, OvsEvent, EventKind,
  UnparsedCode, Unparsed, ParseResult,
  Severity, SignalStatus, SignalBase, Suspect, Participant, ClaimStormSignal, ClaimLoadSignal, PortFlapSignal,
  OfportExhaustedSignal, OfportLeakSignal, BfdMassDownSignal, Signal, SignalKind, ThrottleRegime
} from './types.js'
export { toAlertRecord, ECS_VERSION } from './alert/alert-record.js'
export type {
  AlertRecord, AlertRecordOptions, AlertEvidence, AlertLabels, AlertHandoffPair, AlertParticipant, AlertSuspect,
  AlertThrottle, AlertRuleCategory, AlertSeverityNumber
} from './alert/alert-record.js'
export { ALERT_SCHEMA } from './alert/schema.js'
export type { AlertSchemaNode } from './alert/schema.js'
export { serializeAlert } from './alert/serialize.js'
export { alertMessage } from './alert/message.js'
export { parseVlog, eventFromEnvelope, createVlogParser } from './parse/vlog.js'
export type { VlogOptions, VlogParserOptions, EventBody } from './parse/vlog.js'
export { createDetector } from './detect/detector.js'
export type { Detector, DetectorSnapshot, DetectorStats } from './detect/detector.js'
export type { PortSummary } from './detect/claims.js'
export { DEFAULT_DETECTOR_OPTIONS, resolveDetectorOptions } from './detect/options.js'
export type { DetectorOptions, ResolvedDetectorOptions } from './detect/options.js'
export { regimeForVersion, inferRegime, THROTTLE_INTERVAL_MS } from './detect/throttle.js'
export { mergeByTime, DEFAULT_MERGE_OPTIONS } from './detect/merge.js'
export type { MergeOptions } from './detect/merge.js'
