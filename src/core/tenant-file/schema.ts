/**
 * The JSON Schema of `atpctl.yaml` (issue 14), as a plain object: `atpctl schema` prints it,
 * `parseTenantFile` validates with it (ajv), and editors complete and check the file with it
 * through the `# yaml-language-server: $schema=…` line export writes. It mirrors
 * `TenantDocument` (./document.ts) exactly; test/core/tenant-file/schema.test.ts fails when
 * they diverge. Enumerations come from the core constants, so a new location, cloud or platform
 * reaches the schema without an edit here.
 */
import {CLIENT_APPS, GRANT_CONTROLS} from '../access/rules.js'
import {COMPLIANCE_PLATFORMS, MAX_RISKS} from '../compliance/rules.js'
import {CLOUDS, PROVIDERS} from '../integration/catalogue.js'
import {NAME_RULES} from '../names.js'
import {POLICY_TYPES, SAMPLE_SHARING} from '../policy/types.js'
import {LOCATIONS} from '../tenant/model.js'
import {TENANT_FILE_VERSION} from './document.js'

/** The schema's identifier (a URN: the schema travels inside atpctl, `atpctl schema` prints it). */
export const TENANT_SCHEMA_ID = 'urn:atpctl:tenant-file:v1'

/** The file name editors are pointed at by default: `atpctl schema --out atpctl.schema.json` beside the YAML file. */
export const DEFAULT_SCHEMA_FILE = 'atpctl.schema.json'

type JsonSchema = Record<string, unknown>

const text = (description: string, max?: number): JsonSchema => ({type: 'string', minLength: 1, ...(max ? {maxLength: max} : {}), description})
const nullableText = (description: string, max?: number): JsonSchema => ({type: ['string', 'null'], ...(max ? {maxLength: max} : {}), description})
const names = (description: string, itemDescription: string, max?: number): JsonSchema => ({
  type: 'array',
  uniqueItems: true,
  items: text(itemDescription, max),
  description,
})
const flag = (description: string): JsonSchema => ({type: 'boolean', description})
const oneOf = (values: readonly string[], description: string): JsonSchema => ({type: 'string', enum: [...values], description})
const object = (description: string, required: string[], properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  ...(required.length > 0 ? {required} : {}),
  properties,
})
const list = (description: string, item: JsonSchema): JsonSchema => ({type: 'array', description, items: item})

/** A secret by reference: exactly one of `env` (an environment variable) or `file` (a path). */
function secretReference(description: string, what: {env: string; file: string}): JsonSchema {
  return {
    type: ['object', 'null'],
    description,
    additionalProperties: false,
    minProperties: 1,
    maxProperties: 1,
    properties: {
      env: {type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: what.env},
      file: {type: 'string', minLength: 1, description: what.file},
    },
  }
}

const GROUP_NAME = NAME_RULES.group.max

/** The schema object (JSON Schema draft-07). */
export const TENANT_FILE_SCHEMA: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: TENANT_SCHEMA_ID,
  title: 'atpctl.yaml',
  description: "One tenant's set-up as code for atpctl: check it with `atpctl plan -f atpctl.yaml`, apply it with `atpctl apply`, watch for drift with `atpctl validate`.",
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    version: {type: 'string', const: TENANT_FILE_VERSION, description: `The file format; always '${TENANT_FILE_VERSION}'.`},
    tenant: object('The tenant this file is for. Its data location is checked, never changed.', ['location'], {
      location: oneOf(LOCATIONS, 'The data location the tenant was created in; a tenant elsewhere makes the plan refuse.'),
    }),
    integrations: object('Integrations: third-party providers, the Intune connection, Defender for Cloud subscriptions.', [], {
      thirdParty: list(
        'Third-party (non-Windows) sensor providers, each on or off. Turning one off revokes its tokens.',
        object('One provider.', ['provider', 'enabled'], {
          provider: oneOf(
            PROVIDERS.map((p) => p.id),
            'The provider id, as `atpctl integration list` shows it.',
          ),
          enabled: flag('Whether the provider may onboard devices and send data.'),
        }),
      ),
      intune: object('The Intune connection and its platform toggles.', ['enabled'], {
        enabled: flag('Whether the Intune connection is on.'),
        android: flag('The Android toggle; left out, it stays as it is.'),
        ios: flag('The iOS toggle; left out, it stays as it is.'),
        windows: flag('The Windows toggle; left out, it stays as it is.'),
      }),
      defenderForCloud: list(
        'Defender for Cloud subscriptions.',
        object('One subscription.', ['subscriptionId', 'cloud', 'windows', 'linux'], {
          subscriptionId: text('The subscription id.', NAME_RULES.subscription.max),
          cloud: oneOf(CLOUDS, 'The cloud the subscription lives in.'),
          windows: flag('Whether Windows machines are onboarded (the integration itself).'),
          linux: flag('Whether Linux machines are onboarded too; Linux cannot be turned off alone.'),
        }),
      ),
    }),
    groups: list(
      'User and device groups for assignments, with their explicit members (memberships from the device inventory are not listed).',
      object('One group.', ['name'], {
        name: text('The group name (unique in the file).', GROUP_NAME),
        description: nullableText('What the group is for.', NAME_RULES.description.max),
        devices: names('Devices added to the group explicitly, by name.', 'A device name.', NAME_RULES.device.max),
        users: names('Users in the group, by user principal name.', 'A user principal name.', NAME_RULES.user.max),
      }),
    ),
    collections: list(
      'Device collections, with their query rules, limiting collection and direct members.',
      object('One collection.', ['name'], {
        name: text('The collection name (unique in the file).', NAME_RULES.collection.max),
        limitTo: nullableText('The limiting collection: members must also be members of it.', NAME_RULES.collection.max),
        rules: names("Query membership rules, e.g. \"os ~ 'Windows 10'\"; a device matching any rule is a member.", 'One rule.'),
        members: names('Devices added directly, by name.', 'A device name.', NAME_RULES.device.max),
      }),
    ),
    policies: list(
      'Configuration Manager onboarding and offboarding policies, and the collections each is deployed to.',
      object('One policy.', ['name', 'type'], {
        name: text('The policy name (unique in the file).', NAME_RULES.policy.max),
        description: {type: 'string', maxLength: NAME_RULES.description.max, description: 'What the policy is for.'},
        type: oneOf(POLICY_TYPES, 'onboarding or offboarding.'),
        configFile: secretReference('The onboarding or offboarding configuration file, by reference (it is a secret).', {
          env: 'An environment variable holding the path of the file.',
          file: 'The path of the file, relative to this file.',
        }),
        workspaceId: nullableText('The Workspace ID (down-level onboarding).', 64),
        workspaceKey: secretReference('The Workspace key, by reference (it is a secret).', {
          env: 'An environment variable holding the key.',
          file: 'A file holding the key, relative to this file.',
        }),
        sampleSharing: oneOf(SAMPLE_SHARING, 'Which file samples are shared for analysis.'),
        configMgrVersion: {type: 'integer', minimum: 1000, maximum: 9999, description: 'The Configuration Manager version (YYMM, e.g. 2103).'},
        deployments: names('Collections the policy is deployed to.', 'A collection name.', NAME_RULES.collection.max),
      }),
    ),
    edrProfiles: list(
      'Intune endpoint detection and response (EDR) onboarding profiles for Windows 10 and later.',
      object('One profile.', ['name', 'sampleSharing', 'expediteTelemetry'], {
        name: text('The profile name (unique in the file).', NAME_RULES.edrProfile.max),
        description: nullableText('What the profile is for.', NAME_RULES.description.max),
        sampleSharing: oneOf(SAMPLE_SHARING, 'Which file samples are shared for analysis.'),
        expediteTelemetry: flag('Whether telemetry reporting is expedited.'),
        deviceGroups: names('Device groups the profile is assigned to.', 'A group name.', GROUP_NAME),
        userGroups: names('User groups the profile is assigned to.', 'A group name.', GROUP_NAME),
      }),
    ),
    compliancePolicies: list(
      'Intune compliance policies by machine risk.',
      object('One policy.', ['name', 'platform', 'maxRisk'], {
        name: text('The policy name (unique in the file).', NAME_RULES.compliancePolicy.max),
        description: nullableText('What the policy is for.', NAME_RULES.description.max),
        platform: oneOf(COMPLIANCE_PLATFORMS, 'The device platform the policy applies to.'),
        maxRisk: oneOf(MAX_RISKS, 'The highest machine risk a compliant device may have.'),
        assignGroup: nullableText('The group the policy is assigned to; null: every device of the platform.', GROUP_NAME),
      }),
    ),
    accessPolicies: list(
      'Custom conditional access policies (the classic Intune policy is managed by the connection, not listed).',
      object('One policy.', ['name', 'enabled', 'grant'], {
        name: text('The policy name (unique in the file).', NAME_RULES.accessPolicy.max),
        enabled: flag('Whether the policy is enforced.'),
        reportOnly: flag('Report-only: evaluated and reported at every sign-in, never enforced (then enabled is ignored); run a policy so before enforcing it.'),
        includeGroups: names("User groups the policy applies to ('all' for all users).", 'A group name or all.', GROUP_NAME),
        excludeGroups: names('User groups the policy leaves out.', 'A group name.', GROUP_NAME),
        apps: names("Cloud apps the policy protects ('all' for all cloud apps).", 'A cloud app name or all.', NAME_RULES.appName.max),
        clients: {type: 'array', uniqueItems: true, items: oneOf(CLIENT_APPS, 'A client app kind.'), description: 'Client apps the policy covers.'},
        grant: oneOf(GRANT_CONTROLS, 'What a sign-in must satisfy.'),
      }),
    ),
    appConfigurations: list(
      'Intune app configurations for Defender.',
      object('One app configuration.', ['name', 'kind', 'assignGroup'], {
        name: text('The app configuration name (unique in the file).', NAME_RULES.appConfig.max),
        kind: oneOf(['ios-supervised'], 'The kind: the supervised-mode configuration of Defender on iOS.'),
        assignGroup: nullableText('The targeted group; null: all devices.', GROUP_NAME),
      }),
    ),
  },
}
