import { deploymentOptionsFromConfig } from '../../worker/versioning';

describe('Worker Versioning from the environment', () => {
  it('is off when neither variable is set, as under npm start and in tests', () => {
    expect(deploymentOptionsFromConfig({})).toBeUndefined();
    expect(deploymentOptionsFromConfig({ WORKER_DEPLOYMENT_NAME: '', WORKER_BUILD_ID: '' })).toBeUndefined();
  });

  it('makes every workflow of the build AUTO_UPGRADE when both are set', () => {
    expect(
      deploymentOptionsFromConfig({ WORKER_DEPLOYMENT_NAME: 'opentrain-engagements', WORKER_BUILD_ID: 'b2' }),
    ).toEqual({
      version: { deploymentName: 'opentrain-engagements', buildId: 'b2' },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    });
  });

  it('refuses one without the other, naming the variable', () => {
    expect(() => deploymentOptionsFromConfig({ WORKER_DEPLOYMENT_NAME: 'opentrain-engagements' })).toThrow(
      /WORKER_BUILD_ID: WORKER_DEPLOYMENT_NAME and WORKER_BUILD_ID go together/,
    );
    expect(() => deploymentOptionsFromConfig({ WORKER_BUILD_ID: 'b2' })).toThrow(/WORKER_BUILD_ID/);
  });
});
