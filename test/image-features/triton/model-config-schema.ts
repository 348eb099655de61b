/**
 * Triton's model configuration schema (ModelConfig and every message and enum it reaches), embedded
 * so the config.pbtxt check runs without ../shared/vendor. Transcribed from Triton's
 * model_config.proto (BSD-3-Clause, NVIDIA; server r24+ layout); when the vendor copy is present,
 * triton-repo.test.ts checks that this transcription still equals it.
 * Field notation: "[repeated ]<type>[ oneof:<group>]", type = scalar | enum:<Name> | msg:<Name> | map<K,V>.
 */
import type { FieldSpec, FieldType, Schema } from "./pbtxt.js";

const MESSAGES: Record<string, Record<string, string>> = {
 "ModelConfig": {
  "name": "string",
  "platform": "string",
  "backend": "string",
  "runtime": "string",
  "version_policy": "msg:ModelVersionPolicy",
  "max_batch_size": "int32",
  "input": "repeated msg:ModelInput",
  "output": "repeated msg:ModelOutput",
  "batch_input": "repeated msg:BatchInput",
  "batch_output": "repeated msg:BatchOutput",
  "optimization": "msg:ModelOptimizationPolicy",
  "dynamic_batching": "msg:ModelDynamicBatching oneof:scheduling_choice",
  "sequence_batching": "msg:ModelSequenceBatching oneof:scheduling_choice",
  "ensemble_scheduling": "msg:ModelEnsembling oneof:scheduling_choice",
  "instance_group": "repeated msg:ModelInstanceGroup",
  "default_model_filename": "string",
  "cc_model_filenames": "map<string,string>",
  "metric_tags": "map<string,string>",
  "parameters": "map<string,msg:ModelParameter>",
  "model_warmup": "repeated msg:ModelWarmup",
  "model_operations": "msg:ModelOperations",
  "model_transaction_policy": "msg:ModelTransactionPolicy",
  "model_repository_agents": "msg:ModelRepositoryAgents",
  "response_cache": "msg:ModelResponseCache",
  "model_metrics": "msg:ModelMetrics"
 },
 "ModelVersionPolicy": {
  "latest": "msg:ModelVersionPolicy.Latest oneof:policy_choice",
  "all": "msg:ModelVersionPolicy.All oneof:policy_choice",
  "specific": "msg:ModelVersionPolicy.Specific oneof:policy_choice"
 },
 "ModelVersionPolicy.Latest": {
  "num_versions": "uint32"
 },
 "ModelVersionPolicy.All": {},
 "ModelVersionPolicy.Specific": {
  "versions": "repeated int64"
 },
 "ModelInput": {
  "name": "string",
  "data_type": "enum:DataType",
  "format": "enum:ModelInput.Format",
  "dims": "repeated int64",
  "reshape": "msg:ModelTensorReshape",
  "is_shape_tensor": "bool",
  "allow_ragged_batch": "bool",
  "optional": "bool",
  "is_non_linear_format_io": "bool"
 },
 "ModelTensorReshape": {
  "shape": "repeated int64"
 },
 "ModelOutput": {
  "name": "string",
  "data_type": "enum:DataType",
  "dims": "repeated int64",
  "reshape": "msg:ModelTensorReshape",
  "label_filename": "string",
  "is_shape_tensor": "bool",
  "is_non_linear_format_io": "bool"
 },
 "BatchInput": {
  "kind": "enum:BatchInput.Kind",
  "target_name": "repeated string",
  "data_type": "enum:DataType",
  "source_input": "repeated string"
 },
 "BatchOutput": {
  "target_name": "repeated string",
  "kind": "enum:BatchOutput.Kind",
  "source_input": "repeated string"
 },
 "ModelOptimizationPolicy": {
  "graph": "msg:ModelOptimizationPolicy.Graph",
  "priority": "enum:ModelOptimizationPolicy.ModelPriority",
  "cuda": "msg:ModelOptimizationPolicy.Cuda",
  "execution_accelerators": "msg:ModelOptimizationPolicy.ExecutionAccelerators",
  "input_pinned_memory": "msg:ModelOptimizationPolicy.PinnedMemoryBuffer",
  "output_pinned_memory": "msg:ModelOptimizationPolicy.PinnedMemoryBuffer",
  "gather_kernel_buffer_threshold": "uint32",
  "eager_batching": "bool"
 },
 "ModelOptimizationPolicy.Graph": {
  "level": "int32"
 },
 "ModelOptimizationPolicy.Cuda": {
  "graphs": "bool",
  "busy_wait_events": "bool",
  "graph_spec": "repeated msg:ModelOptimizationPolicy.Cuda.GraphSpec",
  "output_copy_stream": "bool"
 },
 "ModelOptimizationPolicy.Cuda.GraphSpec": {
  "batch_size": "int32",
  "input": "map<string,msg:ModelOptimizationPolicy.Cuda.GraphSpec.Shape>",
  "graph_lower_bound": "msg:ModelOptimizationPolicy.Cuda.GraphSpec.LowerBound"
 },
 "ModelOptimizationPolicy.Cuda.GraphSpec.Shape": {
  "dim": "repeated int64"
 },
 "ModelOptimizationPolicy.Cuda.GraphSpec.LowerBound": {
  "batch_size": "int32",
  "input": "map<string,msg:ModelOptimizationPolicy.Cuda.GraphSpec.Shape>"
 },
 "ModelOptimizationPolicy.ExecutionAccelerators": {
  "gpu_execution_accelerator": "repeated msg:ModelOptimizationPolicy.ExecutionAccelerators.Accelerator",
  "cpu_execution_accelerator": "repeated msg:ModelOptimizationPolicy.ExecutionAccelerators.Accelerator"
 },
 "ModelOptimizationPolicy.ExecutionAccelerators.Accelerator": {
  "name": "string",
  "parameters": "map<string,string>"
 },
 "ModelOptimizationPolicy.PinnedMemoryBuffer": {
  "enable": "bool"
 },
 "ModelDynamicBatching": {
  "preferred_batch_size": "repeated int32",
  "max_queue_delay_microseconds": "uint64",
  "preserve_ordering": "bool",
  "priority_levels": "uint64",
  "default_priority_level": "uint64",
  "default_queue_policy": "msg:ModelQueuePolicy",
  "priority_queue_policy": "map<uint64,msg:ModelQueuePolicy>"
 },
 "ModelQueuePolicy": {
  "timeout_action": "enum:ModelQueuePolicy.TimeoutAction",
  "default_timeout_microseconds": "uint64",
  "allow_timeout_override": "bool",
  "max_queue_size": "uint32"
 },
 "ModelSequenceBatching": {
  "direct": "msg:ModelSequenceBatching.StrategyDirect oneof:strategy_choice",
  "oldest": "msg:ModelSequenceBatching.StrategyOldest oneof:strategy_choice",
  "max_sequence_idle_microseconds": "uint64",
  "control_input": "repeated msg:ModelSequenceBatching.ControlInput",
  "state": "repeated msg:ModelSequenceBatching.State",
  "iterative_sequence": "bool"
 },
 "ModelSequenceBatching.StrategyDirect": {
  "max_queue_delay_microseconds": "uint64",
  "minimum_slot_utilization": "float"
 },
 "ModelSequenceBatching.StrategyOldest": {
  "max_candidate_sequences": "int32",
  "preferred_batch_size": "repeated int32",
  "max_queue_delay_microseconds": "uint64",
  "preserve_ordering": "bool"
 },
 "ModelSequenceBatching.ControlInput": {
  "name": "string",
  "control": "repeated msg:ModelSequenceBatching.Control"
 },
 "ModelSequenceBatching.Control": {
  "kind": "enum:ModelSequenceBatching.Control.Kind",
  "int32_false_true": "repeated int32",
  "fp32_false_true": "repeated float",
  "bool_false_true": "repeated bool",
  "data_type": "enum:DataType"
 },
 "ModelSequenceBatching.State": {
  "input_name": "string",
  "output_name": "string",
  "data_type": "enum:DataType",
  "dims": "repeated int64",
  "initial_state": "repeated msg:ModelSequenceBatching.InitialState",
  "use_same_buffer_for_input_output": "bool",
  "use_growable_memory": "bool"
 },
 "ModelSequenceBatching.InitialState": {
  "data_type": "enum:DataType",
  "dims": "repeated int64",
  "zero_data": "bool oneof:state_data",
  "data_file": "string oneof:state_data",
  "name": "string"
 },
 "ModelEnsembling": {
  "step": "repeated msg:ModelEnsembling.Step",
  "max_inflight_requests": "uint32"
 },
 "ModelEnsembling.Step": {
  "model_name": "string",
  "model_version": "int64",
  "input_map": "map<string,string>",
  "output_map": "map<string,string>",
  "model_namespace": "string"
 },
 "ModelInstanceGroup": {
  "name": "string",
  "kind": "enum:ModelInstanceGroup.Kind",
  "count": "int32",
  "rate_limiter": "msg:ModelRateLimiter",
  "gpus": "repeated int32",
  "secondary_devices": "repeated msg:ModelInstanceGroup.SecondaryDevice",
  "profile": "repeated string",
  "passive": "bool",
  "host_policy": "string"
 },
 "ModelRateLimiter": {
  "resources": "repeated msg:ModelRateLimiter.Resource",
  "priority": "uint32"
 },
 "ModelRateLimiter.Resource": {
  "name": "string",
  "global": "bool",
  "count": "uint32"
 },
 "ModelInstanceGroup.SecondaryDevice": {
  "kind": "enum:ModelInstanceGroup.SecondaryDevice.SecondaryDeviceKind",
  "device_id": "int64"
 },
 "ModelParameter": {
  "string_value": "string"
 },
 "ModelWarmup": {
  "name": "string",
  "batch_size": "uint32",
  "inputs": "map<string,msg:ModelWarmup.Input>",
  "count": "uint32"
 },
 "ModelWarmup.Input": {
  "data_type": "enum:DataType",
  "dims": "repeated int64",
  "zero_data": "bool oneof:input_data_type",
  "random_data": "bool oneof:input_data_type",
  "input_data_file": "string oneof:input_data_type"
 },
 "ModelOperations": {
  "op_library_filename": "repeated string"
 },
 "ModelTransactionPolicy": {
  "decoupled": "bool"
 },
 "ModelRepositoryAgents": {
  "agents": "repeated msg:ModelRepositoryAgents.Agent"
 },
 "ModelRepositoryAgents.Agent": {
  "name": "string",
  "parameters": "map<string,string>"
 },
 "ModelResponseCache": {
  "enable": "bool"
 },
 "ModelMetrics": {
  "metric_control": "repeated msg:ModelMetrics.MetricControl"
 },
 "ModelMetrics.MetricControl": {
  "metric_identifier": "msg:ModelMetrics.MetricControl.MetricIdentifier",
  "histogram_options": "msg:ModelMetrics.MetricControl.HistogramOptions oneof:metric_options"
 },
 "ModelMetrics.MetricControl.MetricIdentifier": {
  "family": "string"
 },
 "ModelMetrics.MetricControl.HistogramOptions": {
  "buckets": "repeated double"
 }
};

const ENUMS: Record<string, string[]> = {"DataType": ["TYPE_INVALID", "TYPE_BOOL", "TYPE_UINT8", "TYPE_UINT16", "TYPE_UINT32", "TYPE_UINT64", "TYPE_INT8", "TYPE_INT16", "TYPE_INT32", "TYPE_INT64", "TYPE_FP16", "TYPE_FP32", "TYPE_FP64", "TYPE_STRING", "TYPE_BF16"], "ModelInput.Format": ["FORMAT_NONE", "FORMAT_NHWC", "FORMAT_NCHW"], "BatchInput.Kind": ["BATCH_ELEMENT_COUNT", "BATCH_ACCUMULATED_ELEMENT_COUNT", "BATCH_ACCUMULATED_ELEMENT_COUNT_WITH_ZERO", "BATCH_MAX_ELEMENT_COUNT_AS_SHAPE", "BATCH_ITEM_SHAPE", "BATCH_ITEM_SHAPE_FLATTEN"], "BatchOutput.Kind": ["BATCH_SCATTER_WITH_INPUT_SHAPE"], "ModelOptimizationPolicy.ModelPriority": ["PRIORITY_DEFAULT", "PRIORITY_MAX", "PRIORITY_MIN"], "ModelQueuePolicy.TimeoutAction": ["REJECT", "DELAY"], "ModelSequenceBatching.Control.Kind": ["CONTROL_SEQUENCE_START", "CONTROL_SEQUENCE_READY", "CONTROL_SEQUENCE_END", "CONTROL_SEQUENCE_CORRID"], "ModelInstanceGroup.Kind": ["KIND_AUTO", "KIND_GPU", "KIND_CPU", "KIND_MODEL"], "ModelInstanceGroup.SecondaryDevice.SecondaryDeviceKind": ["KIND_NVDLA"]};

function fieldType(text: string): FieldType {
  const map = /^map<(\w+),(.+)>$/.exec(text);
  if (map) return { kind: "map", key: map[1]!, value: fieldType(map[2]!) };
  if (text.startsWith("enum:")) return { kind: "enum", name: text.slice(5) };
  if (text.startsWith("msg:")) return { kind: "message", name: text.slice(4) };
  return { kind: "scalar", type: text as "string" };
}

function fieldSpec(text: string): FieldSpec {
  const parts = text.split(" ");
  const repeated = parts[0] === "repeated";
  const rest = repeated ? parts.slice(1) : parts;
  const oneof = rest.find((p) => p.startsWith("oneof:"))?.slice(6);
  return { type: fieldType(rest[0]!), repeated, ...(oneof ? { oneof } : {}) };
}

export const MODEL_CONFIG_SCHEMA: Schema = {
  messages: Object.fromEntries(Object.entries(MESSAGES).map(([m, fields]) => [m, Object.fromEntries(Object.entries(fields).map(([f, t]) => [f, fieldSpec(t)]))])),
  enums: ENUMS,
};
