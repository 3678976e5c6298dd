import { ElasticsearchContainer } from '@testcontainers/elasticsearch';
import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import {
  GenericContainer,
  Wait,
  type InspectResult,
  type StartedNetwork,
  type StartedTestContainer,
} from 'testcontainers';
import { portBindings } from './definitions.ts';
import { PORT, type ContainerDef, type ContainersPlan, type PortMapping } from './plan.ts';

/** testcontainers objects from the plan's definitions. */

// A mixin's base constructor must take any[] (TypeScript's rule for mixin classes).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ContainerClass = new (...args: any[]) => GenericContainer;

/**
 * Fixed host ports, published on one address. withExposedPorts({container, host}) fixes the port but not
 * the address (always every interface), and KafkaContainer re-exposes 9093 on a random port from its
 * beforeContainerCreated, so the bindings are set last, right before the container is created.
 */
function pinnedPorts<B extends ContainerClass>(Base: B) {
  return class PinnedPorts extends Base {
    portPins: PortMapping[] = [];
    publishIp = '';

    pinPorts(ports: PortMapping[], publishIp: string): this {
      this.portPins = ports;
      this.publishIp = publishIp;
      return this.withExposedPorts(...ports.map((p) => ({ container: p.container, host: p.host })));
    }

    protected override async beforeContainerCreated(): Promise<void> {
      await super.beforeContainerCreated?.();
      this.hostConfig.PortBindings = portBindings(this.portPins, this.publishIp);
    }
  };
}

// @internal: left out of the package's type declarations, which cannot name the mixin's protected members.
/** @internal */
export class PinnedGenericContainer extends pinnedPorts(GenericContainer) {}
/** @internal */
export class PinnedPostgreSqlContainer extends pinnedPorts(PostgreSqlContainer) {}
/** @internal */
export class PinnedElasticsearchContainer extends pinnedPorts(ElasticsearchContainer) {}

/**
 * KafkaContainer advertising its BROKER listener under a name of our choice (Toxiproxy's alias) instead
 * of the container's hostname: it reads that hostname from the inspect result it is handed here, and only
 * for the advertised listener (kafka-container.js, containerStarted / updateAdvertisedListeners).
 * @internal
 */
export class ProxiedKafkaContainer extends pinnedPorts(KafkaContainer) {
  advertisedHost = 'localhost';
  /**
   * The host its PLAINTEXT listener advertises to the harness. KafkaContainer takes container.getHost(),
   * "localhost" for a local engine, which may resolve to ::1 while the port is published on 127.0.0.1 only.
   */
  plaintextHost = '';

  protected override async containerStarted(
    container: StartedTestContainer,
    inspectResult: InspectResult,
  ): Promise<void> {
    const host = this.plaintextHost;
    const c = host
      ? Object.assign(Object.create(container) as StartedTestContainer, { getHost: () => host })
      : container;
    await super.containerStarted(c, { ...inspectResult, hostname: this.advertisedHost });
  }
}

function common<C extends GenericContainer & { pinPorts(p: PortMapping[], ip: string): C }>(
  c: C,
  def: ContainerDef,
  plan: ContainersPlan,
  network: StartedNetwork,
): C {
  c.withNetwork(network)
    .withNetworkAliases(...def.aliases)
    .withEnvironment(def.env)
    .withLabels(def.labels)
    .withStartupTimeout(def.startupTimeoutMs)
    .pinPorts(def.ports, plan.publishIp);
  if (def.command) c.withCommand(def.command);
  if (def.bindMounts.length) c.withBindMounts(def.bindMounts);
  if (def.shmBytes) c.withSharedMemorySize(def.shmBytes);
  return c;
}

/**
 * A container of the built set: plain GenericContainers (the images are ours, so no module's scripts), each
 * waited for by what its entrypoint prints or serves.
 */
function builtContainer(def: ContainerDef, plan: ContainersPlan, network: StartedNetwork): GenericContainer {
  const c = common(new PinnedGenericContainer(def.image), def, plan, network);
  switch (def.service) {
    case 'toxiproxy':
      return c.withWaitStrategy(Wait.forHttp('/version', PORT.toxiproxyApi).forStatusCode(200));
    case 'postgres':
      return c.withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/));
    case 'kafka':
      return c.withWaitStrategy(Wait.forLogMessage(/Kafka Server started/));
    case 'elasticsearch':
      return c.withWaitStrategy(
        Wait.forHttp('/_cluster/health?wait_for_status=yellow&timeout=1s', PORT.elasticsearch).forStatusCode(200),
      );
    case 'connect':
      return c.withWaitStrategy(Wait.forHttp('/connectors', PORT.connect).forStatusCode(200));
  }
}

/** One container, not started. */
export function buildContainer(def: ContainerDef, plan: ContainersPlan, network: StartedNetwork): GenericContainer {
  if (plan.imageSet === 'built') return builtContainer(def, plan, network);
  switch (def.service) {
    case 'toxiproxy':
      // Not @testcontainers/toxiproxy: it publishes 32 proxy ports on random host ports and picks listen
      // ports itself; our proxies have fixed names and listen addresses, created through the API.
      return common(new PinnedGenericContainer(def.image), def, plan, network).withWaitStrategy(
        Wait.forHttp('/version', PORT.toxiproxyApi).forStatusCode(200),
      );
    case 'postgres': {
      const c = new PinnedPostgreSqlContainer(def.image)
        .withDatabase(def.env.POSTGRES_DB as string)
        .withUsername(def.env.POSTGRES_USER as string)
        .withPassword(def.env.POSTGRES_PASSWORD as string);
      return common(c, def, plan, network);
    }
    case 'kafka': {
      const c = new ProxiedKafkaContainer(def.image);
      c.advertisedHost = plan.kafkaAdvertisedHost;
      c.plaintextHost = plan.endpoints.pg.host;
      // Automatic for cp-kafka >= 8; explicit for an overriding 7.4-7.9 image.
      return common(c.withKraft(), def, plan, network);
    }
    case 'elasticsearch':
      // The module's own wait sends basic credentials to "/"; with security off, cluster health is the better signal.
      return common(new PinnedElasticsearchContainer(def.image), def, plan, network).withWaitStrategy(
        Wait.forHttp('/_cluster/health?wait_for_status=yellow&timeout=1s', PORT.elasticsearch).forStatusCode(200),
      );
    case 'connect':
      return common(new PinnedGenericContainer(def.image), def, plan, network).withWaitStrategy(
        Wait.forHttp('/connectors', PORT.connect).forStatusCode(200),
      );
  }
}
