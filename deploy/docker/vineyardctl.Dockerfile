# syntax=docker/dockerfile:1
# The vineyardctl image: the operator (vineyardctl manager, non-root) and the CSI driver
# (vineyardctl csi; the node plugin's pod runs it as root, privileged, for mount(2)) on a jlink'd
# Java 25 runtime. The default user is non-root (uid 65532). Build from the repository root:
#   docker build -f deploy/docker/vineyardctl.Dockerfile -t cellar/vineyardctl:latest .

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -pl deploy -am package -DskipTests \
 && mkdir -p /out/opt/cellar/vineyardctl \
 && cp "$(ls deploy/target/deploy-*.jar | grep -v -e -sources -e -tests | head -n 1)" \
       /out/opt/cellar/vineyardctl/vineyardctl.jar \
 && cp -r deploy/target/lib /out/opt/cellar/vineyardctl/lib \
 && deploy/docker/jlink-runtime.sh /out/opt/cellar/vineyardctl/vineyardctl.jar \
       /out/opt/cellar/vineyardctl/lib /out/opt/java

FROM debian:trixie-slim
RUN groupadd --gid 65532 cellar \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin cellar
COPY --from=build /out/opt /opt
COPY deploy/docker/vineyardctl /usr/local/bin/vineyardctl
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/vineyardctl"]
