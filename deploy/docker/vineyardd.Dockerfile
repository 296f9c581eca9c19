# syntax=docker/dockerfile:1
# The vineyardd image: Cellar's store-server on a jlink'd Java 25 runtime, running as a non-root
# user (uid 65532). In Kubernetes the vineyardd pod's init container hands the host socket
# directory to that user. Build from the repository root:
#   docker build -f deploy/docker/vineyardd.Dockerfile -t cellar/vineyardd:latest .

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -ntp -pl store-server -am package -DskipTests \
 && mkdir -p /out/opt/cellar/vineyardd \
 && cp "$(ls store-server/target/store-server-*.jar | grep -v -e -sources -e -tests | head -n 1)" \
       /out/opt/cellar/vineyardd/store-server.jar \
 && cp -r store-server/target/lib /out/opt/cellar/vineyardd/lib \
 && deploy/docker/jlink-runtime.sh /out/opt/cellar/vineyardd/store-server.jar \
       /out/opt/cellar/vineyardd/lib /out/opt/java

FROM debian:trixie-slim
RUN groupadd --gid 65532 cellar \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin cellar
COPY --from=build /out/opt /opt
COPY deploy/docker/vineyardd /usr/local/bin/vineyardd
USER 65532:65532
EXPOSE 9600
ENTRYPOINT ["/usr/local/bin/vineyardd"]
