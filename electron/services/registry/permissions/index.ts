import type { Implementation } from '../../../../shared/registry/implementations';
import { acrProbe } from './acr';
import { defaultProbe } from './default';
import { dockerhubProbe } from './dockerhub';
import { ecrProbe } from './ecr';
import { gcrProbe } from './gcr';
import { githubProbe } from './github';
import { gitlabProbe } from './gitlab';
import { harborProbe } from './harbor';
import { quayProbe } from './quay';
import type { DeletePermissionProbe } from './types';

export type { DeletePermissionProbe, DeleteVerdict, PermissionProbeContext, PermissionProbeResult } from './types';

export const DELETE_PERMISSION_PROBES: Readonly<Record<Implementation, DeletePermissionProbe>> = {
  default: defaultProbe,
  ecr: ecrProbe,
  acr: acrProbe,
  dockerhub: dockerhubProbe,
  gcr: gcrProbe,
  github: githubProbe,
  gitlab: gitlabProbe,
  harbor: harborProbe,
  quay: quayProbe,
};
