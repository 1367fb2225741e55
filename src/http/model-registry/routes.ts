// The Kubeflow Model Registry API v1alpha3 as a routes table: every path and operation of the
// OpenAPI contract, with the project permission it needs (pull to read, push to write).
// https://github.com/kubeflow/model-registry/blob/main/api/openapi/model-registry.yaml
import type { EntityKind } from '../../core/models/entity-kinds.js';
import { create, findOne, getOne, listAll, listChildren, metricHistory, served, update, upsertArtifact, type KfHandler, type ParentRef } from './handlers.js';

/** Where the surface is mounted. */
export const MODEL_REGISTRY_PREFIX = '/api/model_registry/v1alpha3';

/** One row of the table; `url` is relative to the prefix. */
export interface KfRoute {
  operationId: string;
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  permission: 'pull' | 'push';
  handler: KfHandler;
}

const RM: EntityKind[] = ['registered-model'];
const MV: EntityKind[] = ['model-version'];
const MA: EntityKind[] = ['model-artifact'];
const ART: EntityKind[] = ['model-artifact', 'doc-artifact', 'dataset-artifact', 'metric', 'parameter'];
const SE: EntityKind[] = ['serving-environment'];
const IS: EntityKind[] = ['inference-service'];
const SM: EntityKind[] = ['serve-model'];
const EX: EntityKind[] = ['experiment'];
const RUN: EntityKind[] = ['experiment-run'];

const rmParent: ParentRef = { param: 'registeredmodelId', kind: 'registered-model', key: 'parentId' };
const mvParent: ParentRef = { param: 'modelversionId', kind: 'model-version', key: 'parentId' };
const seParent: ParentRef = { param: 'servingenvironmentId', kind: 'serving-environment', key: 'parentId' };
const isParent: ParentRef = { param: 'inferenceserviceId', kind: 'inference-service', key: 'parentId' };
const exParent: ParentRef = { param: 'experimentId', kind: 'experiment', key: 'parentId' };
const runOwner: ParentRef = { param: 'experimentrunId', kind: 'experiment-run', key: 'runId' };

const get = (operationId: string, url: string, handler: KfHandler): KfRoute => ({ operationId, method: 'GET', url, permission: 'pull', handler });
const post = (operationId: string, url: string, handler: KfHandler): KfRoute => ({ operationId, method: 'POST', url, permission: 'push', handler });
const patch = (operationId: string, url: string, handler: KfHandler): KfRoute => ({ operationId, method: 'PATCH', url, permission: 'push', handler });

/** The 56 operations. */
export const MODEL_REGISTRY_ROUTES: readonly KfRoute[] = [
  get('getRegisteredModels', '/registered_models', listAll(RM)),
  post('createRegisteredModel', '/registered_models', create('registered-model', { required: ['name'] })),
  get('getRegisteredModel', '/registered_models/:registeredmodelId', getOne(RM, 'registeredmodelId')),
  patch('updateRegisteredModel', '/registered_models/:registeredmodelId', update(RM, 'registeredmodelId')),
  get('getRegisteredModelVersions', '/registered_models/:registeredmodelId/versions', listChildren(rmParent, MV)),
  post('createRegisteredModelVersion', '/registered_models/:registeredmodelId/versions', create('model-version', { required: ['name'], parent: rmParent })),
  get('findRegisteredModel', '/registered_model', findOne(RM, false)),

  get('getModelVersions', '/model_versions', listAll(MV)),
  post('createModelVersion', '/model_versions', create('model-version', { required: ['name', 'registeredModelId'], missingStatus: 422 })),
  get('getModelVersion', '/model_versions/:modelversionId', getOne(MV, 'modelversionId')),
  patch('updateModelVersion', '/model_versions/:modelversionId', update(MV, 'modelversionId')),
  get('getModelVersionArtifacts', '/model_versions/:modelversionId/artifacts', listChildren(mvParent, 'artifacts')),
  post('upsertModelVersionArtifact', '/model_versions/:modelversionId/artifacts', upsertArtifact('versionId', 'modelversionId')),
  get('findModelVersion', '/model_version', findOne(MV, true)),

  get('getModelArtifacts', '/model_artifacts', listAll(MA)),
  post('createModelArtifact', '/model_artifacts', create('model-artifact')),
  get('getModelArtifact', '/model_artifacts/:modelartifactId', getOne(MA, 'modelartifactId')),
  patch('updateModelArtifact', '/model_artifacts/:modelartifactId', update(MA, 'modelartifactId')),
  get('findModelArtifact', '/model_artifact', findOne(MA, true)),

  get('getArtifacts', '/artifacts', listAll('artifacts')),
  post('createArtifact', '/artifacts', create('artifact')),
  get('getArtifact', '/artifacts/:id', getOne(ART, 'id')),
  patch('updateArtifact', '/artifacts/:id', update(ART, 'id')),
  get('findArtifact', '/artifact', findOne(ART, true)),

  get('getServingEnvironments', '/serving_environments', listAll(SE)),
  post('createServingEnvironment', '/serving_environments', create('serving-environment', { required: ['name'] })),
  get('getServingEnvironment', '/serving_environments/:servingenvironmentId', getOne(SE, 'servingenvironmentId')),
  patch('updateServingEnvironment', '/serving_environments/:servingenvironmentId', update(SE, 'servingenvironmentId')),
  get('getEnvironmentInferenceServices', '/serving_environments/:servingenvironmentId/inference_services', listChildren(seParent, IS)),
  post('createEnvironmentInferenceService', '/serving_environments/:servingenvironmentId/inference_services', create('inference-service', { required: ['registeredModelId'], parent: seParent })),
  get('findServingEnvironment', '/serving_environment', findOne(SE, false)),

  get('getInferenceServices', '/inference_services', listAll(IS)),
  post('createInferenceService', '/inference_services', create('inference-service', { required: ['registeredModelId', 'servingEnvironmentId'], status: 200 })),
  get('getInferenceService', '/inference_services/:inferenceserviceId', getOne(IS, 'inferenceserviceId')),
  patch('updateInferenceService', '/inference_services/:inferenceserviceId', update(IS, 'inferenceserviceId')),
  get('getInferenceServiceModel', '/inference_services/:inferenceserviceId/model', served('model')),
  get('getInferenceServiceVersion', '/inference_services/:inferenceserviceId/version', served('version')),
  get('getInferenceServiceServes', '/inference_services/:inferenceserviceId/serves', listChildren(isParent, SM)),
  post('createInferenceServiceServe', '/inference_services/:inferenceserviceId/serves', create('serve-model', { required: ['modelVersionId'], parent: isParent })),
  get('findInferenceService', '/inference_service', findOne(IS, true)),

  get('getExperiments', '/experiments', listAll(EX)),
  post('createExperiment', '/experiments', create('experiment', { required: ['name'] })),
  get('getExperiment', '/experiments/:experimentId', getOne(EX, 'experimentId')),
  patch('updateExperiment', '/experiments/:experimentId', update(EX, 'experimentId')),
  get('getExperimentExperimentRuns', '/experiments/:experimentId/experiment_runs', listChildren(exParent, RUN)),
  post('createExperimentExperimentRun', '/experiments/:experimentId/experiment_runs', create('experiment-run', { parent: exParent })),
  get('findExperiment', '/experiment', findOne(EX, false)),

  get('getExperimentRuns', '/experiment_runs', listAll(RUN)),
  post('createExperimentRun', '/experiment_runs', create('experiment-run', { required: ['experimentId'], missingStatus: 422 })),
  get('getExperimentRunsMetricHistory', '/experiment_runs/metric_history', metricHistory(null)),
  get('getExperimentRun', '/experiment_runs/:experimentrunId', getOne(RUN, 'experimentrunId')),
  patch('updateExperimentRun', '/experiment_runs/:experimentrunId', update(RUN, 'experimentrunId')),
  get('getExperimentRunArtifacts', '/experiment_runs/:experimentrunId/artifacts', listChildren(runOwner, 'artifacts')),
  post('upsertExperimentRunArtifact', '/experiment_runs/:experimentrunId/artifacts', upsertArtifact('runId', 'experimentrunId')),
  get('getExperimentRunMetricHistory', '/experiment_runs/:experimentrunId/metric_history', metricHistory('experimentrunId')),
  get('findExperimentRun', '/experiment_run', findOne(RUN, true)),
];
