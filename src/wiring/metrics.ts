/**
 * The figures GET /metrics reads at scrape time, attached to the daemon's parts once they exist
 * (metrics/index.ts made the meters of the hot paths before): queues from the router, calls from
 * the call tracker, agents from the presence service, sessions from the WebSocket hub, the CSTA
 * link's state, the write queue's backlog.
 */
import type { CallService } from '../services/call-service.ts';
import type { Directory } from '../services/directory.ts';
import type { PresenceService } from '../services/presence-service.ts';
import type { RoutingService } from '../services/routing-service.ts';
import type { Clock } from '../services/ports.ts';
import type { Hub } from '../gateway/hub.ts';
import type { WsGateway } from '../gateway/ws-gateway.ts';
import type { PbxPort } from '../core/pbx-port.ts';
import type { WriteQueueStatus } from '../storage/write-queue.ts';
import type { DaemonMetrics } from '../metrics/index.ts';
import type { AgentState } from '../core/agents/agent-state.ts';

export interface MetricSources {
  directory: Directory;
  routing: RoutingService;
  calls: CallService;
  presence: PresenceService;
  hub: Hub;
  gateway: WsGateway;
  pbx: PbxPort;
  writes: () => WriteQueueStatus;
  clock: Clock;
}

export function watchDaemon(metrics: DaemonMetrics, s: MetricSources): void {
  metrics.routing.watchQueues({
    queueIds: () => [...s.directory.allQueues()].map((q) => q.id),
    waiting: (queueId) => s.routing.router.waitingIn(queueId),
    readyAgents: (queueId) => s.routing.router.readyCount(queueId),
    now: () => s.clock.now(),
  });
  metrics.callsAgents.watch({
    calls: { calls: () => s.calls.active(), deviceKind: (d) => s.directory.deviceKind(d) },
    agents: { states: () => agentStates(s.directory, s.presence) },
  });
  metrics.gateway.watch({ sessions: () => s.hub.all(), memory: () => s.gateway.memoryStats() });
  metrics.storage.watch(s.writes);
  metrics.csta.watchLink(s.pbx);
}

function* agentStates(directory: Directory, presence: PresenceService): Iterable<AgentState> {
  for (const a of directory.allAgents()) if (a.roles.includes('agent')) yield presence.status(a.username).state;
}
