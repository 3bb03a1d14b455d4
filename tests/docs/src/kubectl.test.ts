import { describe, expect, it } from "vitest";
import { kindTable, kubectlObjects, manifestObjects } from "./kubectl.ts";
import { simpleCommands } from "./shell.ts";

const kinds = kindTable(["ScaledObject"]);
const uses = (code: string) => simpleCommands(code).flatMap((command) => kubectlObjects(command, kinds).uses.map((ref) => `${ref.kind}/${ref.name}@${ref.namespace ?? "-"}`));
const creates = (code: string) => simpleCommands(code).flatMap((command) => kubectlObjects(command, kinds).creates.map((ref) => `${ref.kind}/${ref.name}@${ref.namespace ?? "-"}`));

describe("kubectlObjects", () => {
  it.each([
    ["kubectl get deploy folio-api folio-web", ["Deployment/folio-api@-", "Deployment/folio-web@-"]],
    ["kubectl -n folio-agent describe ds/folio-agent", ["DaemonSet/folio-agent@folio-agent"]],
    ["kubectl get pods -o wide -l app.kubernetes.io/name=postgres", []],
    ["kubectl get deploy,sts folio-api", []],
    ["kubectl delete pod folio-postgres-0 --wait=false", ["Pod/folio-postgres-0@-"]],
    ["kubectl logs -f deploy/folio-api --tail 20", ["Deployment/folio-api@-"]],
    ["kubectl logs folio-postgres-0 -c postgres --previous", ["Pod/folio-postgres-0@-"]],
    ["kubectl exec -i folio-postgres-0 -- psql -c 'select 1'", ["Pod/folio-postgres-0@-"]],
    ["kubectl port-forward svc/folio-api 8080:80", ["Service/folio-api@-"]],
    ["kubectl rollout status deployment folio-worker --timeout=120s", ["Deployment/folio-worker@-"]],
    ["kubectl rollout restart sts/folio-redis", ["StatefulSet/folio-redis@-"]],
    ["kubectl scale --replicas=0 deploy/folio-worker", ["Deployment/folio-worker@-"]],
    ["kubectl label node folio-worker2 disk=fast --overwrite", ["Node/folio-worker2@-"]],
    ["kubectl annotate netpol folio-api note=x", ["NetworkPolicy/folio-api@-"]],
    ["kubectl patch cj folio-backup -p '{\"spec\":{\"suspend\":true}}'", ["CronJob/folio-backup@-"]],
    ["kubectl taint nodes folio-worker key=value:NoSchedule", ["Node/folio-worker@-"]],
    ["kubectl taint node folio-worker node.kubernetes.io/out-of-service-", ["Node/folio-worker@-"]],
    ["kubectl label pod/folio-postgres-0 lab- && kubectl label deploy folio-api lab-", ["Pod/folio-postgres-0@-", "Deployment/folio-api@-"]],
    ["kubectl cordon folio-worker3 && kubectl drain folio-worker3 --ignore-daemonsets", ["Node/folio-worker3@-", "Node/folio-worker3@-"]],
    ["kubectl get pvc data-folio-postgres-0 -n folio", ["PersistentVolumeClaim/data-folio-postgres-0@folio"]],
    ["kubectl get networkpolicies.networking.k8s.io folio-default-deny", ["NetworkPolicy/folio-default-deny@-"]],
    ["kubectl get scaledobject folio-worker", ["ScaledObject/folio-worker@-"]],
    ["kubectl get widget folio", ["?widget/folio@-"]],
    ["kubectl get pod $POD", []],
    ["kubectl set image deploy/folio-api api=folio/api:dev", ["Deployment/folio-api@-"]],
    ["kubectl wait --for=condition=Ready pod/folio-postgres-0", ["Pod/folio-postgres-0@-"]],
  ])("when the command is %s, then it names %j", (code, expected) => {
    expect(uses(code)).toEqual(expected);
  });

  it("when a lab creates objects, then they are what it creates, and --from names the CronJob it copies", () => {
    expect(creates("kubectl create job backup-now --from=cronjob/folio-backup")).toEqual(["Job/backup-now@-"]);
    expect(uses("kubectl create job backup-now --from=cronjob/folio-backup")).toEqual(["CronJob/folio-backup@-"]);
    expect(creates("kubectl create namespace intruder && kubectl run probe -n intruder --image=busybox --restart=Never -- sleep 1")).toEqual(["Namespace/intruder@-", "Pod/probe@intruder"]);
    expect(creates("kubectl create secret generic extra --from-literal=a=b")).toEqual(["Secret/extra@-"]);
    expect(creates("kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\n  namespace: intruder\nEOF\n")).toEqual(["Pod/probe@intruder"]);
  });

  it("when a here-document is piped into kubectl apply -f -, then the block's here-documents are what it applies", () => {
    const [cat, apply] = simpleCommands("cat <<EOF | kubectl apply -f -\nkind: ConfigMap\nmetadata:\n  name: extra\nEOF\n");
    expect(kubectlObjects(apply!, kinds, cat!.heredocs.join("\n")).creates.map((ref) => ref.name)).toEqual(["extra"]);
  });

  it("when YAML holds objects and other documents, then only the objects are kept", () => {
    expect(manifestObjects("kind: Pod\nmetadata: {name: a}\n---\njust: data\n---\nkind: Service\nmetadata: {name: b, namespace: x}\n")).toEqual([
      { kind: "Pod", name: "a", namespace: undefined },
      { kind: "Service", name: "b", namespace: "x" },
    ]);
  });
});
