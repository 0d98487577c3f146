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
export { parseLine } from './parse/parse-line.js'
export type { ParseLineOptions } from './parse/parse-line.js'
export { parseRecord, createRecordParser, unwrapLine, unwrapRecord, WRAPPER_OPTIONS } from './parse/unwrap.js'
export type { UnwrapOptions, WrapperOption, Unwrapped, UnwrappedText, UnwrappedEnvelope, UnwrappedFailure, PartialFrame } from './parse/unwrap.js'
export { createLineParser, parseLines } from './parse/line-parser.js'
export type { LineParser, LineParserOptions, ParsedLines } from './parse/line-parser.js'
export { readLines, readLineBatches, openLines, openLineBatches, isLineIssue, DEFAULT_MAX_LINE_BYTES } from './parse/read-lines.js'
export type { RawLine, LineIssue, ReadLinesOptions } from './parse/read-lines.js'
export { readLineBlocks, blockLines } from './parse/read-lines.js'
export type { LineBlock } from './parse/read-lines.js'
export { serializeParseResult, PARSE_RESULT_SCHEMA } from './parse/serialize-event.js'
export { createStats, formatStats, mergeStats, RESULT_KINDS } from './parse/stats.js'
export type { ParseStats } from './parse/stats.js'
export { createDetector } from './detect/detector.js'
export type { Detector, DetectorSnapshot, DetectorStats } from './detect/detector.js'
export type { PortSummary } from './detect/claims.js'
export { DEFAULT_DETECTOR_OPTIONS, resolveDetectorOptions } from './detect/options.js'
export type { DetectorOptions, ResolvedDetectorOptions } from './detect/options.js'
export { regimeForVersion, inferRegime, THROTTLE_INTERVAL_MS } from './detect/throttle.js'
export { mergeByTime, DEFAULT_MERGE_OPTIONS } from './detect/merge.js'
export type { MergeOptions } from './detect/merge.js'
export { ForwardServer } from './adapters/forward/server.js'
export type { ForwardServerOptions, ForwardTlsOptions } from './adapters/forward/server.js'
export { ForwardOutput } from './adapters/forward/output.js'
export type { ForwardOutputOptions, ForwardOutputCounters } from './adapters/forward/output.js'
export type {
  ForwardBatch, ForwardEntry, ForwardPeer, ForwardMode, ForwardLogger, ForwardServerCounters, ForwardErrorReason
} from './adapters/forward/types.js'
export { createPipeline } from './pipeline.js'
export type { Pipeline, PipelineStages, PipelineAlert, PipelineStats, DetectorLike } from './pipeline.js'
export { startServe, resolveEndpoints } from './adapters/serve-runtime.js'
export type { ServeEnv, ServeHandle, ServeResult, StopReason } from './adapters/serve-runtime.js'
export { createDefaultStages } from './adapters/stages.js'
export { SERVE_OPTIONS, DEFAULT_SERVE_CONFIG, loadConfigFile, parseConfigText, mergeConfig } from './adapters/config.js'
export type { ServeConfig } from './adapters/config.js'
export { parseEndpoint, parseListen } from './adapters/endpoints.js'
export type { Endpoint, EndpointRole, EndpointScheme } from './adapters/endpoints.js'
export { createLogger } from './adapters/log.js'
export type { Logger, LogLevel } from './adapters/log.js'
export type { AlertOutput, InputAdapter, RecordSink, InputStats, OutputStats } from './adapters/contracts.js'
export { runScan, planScan } from './scan/scan.js'
export type { ScanOptions, ScanPlan } from './scan/scan.js'
export type {
  ScanReport, ScannedFile, FileStatus, AlertRow, ClaimPoint, ClaimAct, PortTimeline, BfdPoint, OfportPoint,
  BaselineComparison, Verdict, VerdictLevel, ScanTotals
} from './scan/model.js'
export { walkInputs, isLogFileName } from './scan/walk.js'
export type { InputIssue, InputIssueCode, WalkedFile, WalkOptions, WalkResult } from './scan/walk.js'
export { attributeNode, compileNodePattern } from './scan/attribute-node.js'
export type { NodeAttribution, NodeAttributionSource, AttributeOptions } from './scan/attribute-node.js'
export { renderSummary } from './scan/summary.js'
export type { SummaryOptions } from './scan/summary.js'
export { renderHtmlReport } from './scan/report/html.js'
export type { HtmlReportOptions } from './scan/report/html.js'
export { createBaselineRule, evaluateBaselineRule, baselineLineText, DEFAULT_BASELINE_RULE_OPTIONS } from './detect/baseline-rule.js'
export type { BaselineRule, BaselineRuleOptions, BaselineFiring, BaselineEpisode } from './detect/baseline-rule.js'
