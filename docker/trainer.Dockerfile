# syntax=docker/dockerfile:1
#
# The nasflow trainer image: what a trial Job's pod runs (`nasflow train --spec <uri>`).
# The same image also serves the operator and worker (`nasflow operator`, `nasflow worker`); the
# Helm chart's image.repository and trial.image may point at it.
#
# GPU: TensorFlow.js trains on the GPU through @tensorflow/tfjs-node-gpu 4.22, which bundles
# libtensorflow 2.9 built against CUDA 11.2+/cuDNN 8, so the runtime base is NVIDIA's CUDA 11.8
# cuDNN 8 image; the trainer's backend selector (src/trainer/backend/select.ts) picks
# tfjs-node-gpu first and falls back to pure JS when no GPU is visible (NASFLOW_TF_BACKEND=cpu
# forces that). Pods request GPUs with resources.limits nvidia.com/gpu (NVIDIA device plugin).
#
# Not built here: the development machines have no Docker engine and cannot reach the host that
# tfjs-node-gpu's install script downloads libtensorflow from. Build it where both are available:
#   docker build -f docker/trainer.Dockerfile -t ghcr.io/nasflow/trainer:0.1.0 .
#
# Security: runs as uid/gid 1000 (the trial pod's runAsUser), needs no writable root filesystem
# (HOME and the tfjs caches go to /tmp, an emptyDir in the pod).

ARG NODE_VERSION=24.11.1

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts ./scripts
# Skip the native-backend provisioning of the dev machines (scripts/provision-tfjs-node.sh): the
# runtime stage installs tfjs-node-gpu instead.
ENV NASFLOW_SKIP_TFJS_NODE=1
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY bin ./bin
RUN npx tsc -p . && npm prune --omit=dev

FROM nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
# Node and npm from the official image of the build stage (same version); no compilers here:
# tfjs-node-gpu's installer fetches a prebuilt N-API addon and libtensorflow-gpu.
COPY --from=build /usr/local/bin/node /usr/local/bin/node
COPY --from=build /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
# NAS-Bench-201 tables and reference architectures the benchmark evaluator and model zoo read.
COPY data ./data
RUN npm install --no-save --omit=dev --ignore-scripts=false @tensorflow/tfjs-node-gpu@4.22.0 \
 && npm cache clean --force \
 && ln -s /app/bin/nasflow.js /usr/local/bin/nasflow \
 && groupadd -g 1000 nasflow && useradd -u 1000 -g 1000 -d /tmp -s /usr/sbin/nologin nasflow
ENV NODE_ENV=production HOME=/tmp
USER 1000:1000
# The pod's command names the subcommand: nasflow train --spec <uri> (see src/kube/trial-job.ts).
CMD ["nasflow", "--help"]
