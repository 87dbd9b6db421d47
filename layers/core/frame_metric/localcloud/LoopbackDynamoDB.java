// DynamoDB Local on one address only. Its command line has no bind option and its Jetty server listens
// on every interface; this launcher builds the server exactly as DynamoDB Local's own main does, then
// sets the one Jetty connector's host before it starts listening.
// Usage: java -cp DynamoDBLocal.jar LoopbackDynamoDB.java <host> <DynamoDB Local options...>

import java.lang.reflect.Field;
import java.util.Arrays;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDB {
    public static void main(String[] args) throws Exception {
        String host = args[0];
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(Arrays.copyOfRange(args, 1, args.length));
        Field field = DynamoDBProxyServer.class.getDeclaredField("server");
        field.setAccessible(true);
        Connector[] connectors = ((Server) field.get(proxy)).getConnectors();
        if (connectors.length == 0) {
            throw new IllegalStateException("DynamoDB Local has no connector to bind");
        }
        for (Connector connector : connectors) {
            // Fail rather than listen everywhere if a new DynamoDB Local builds its server differently.
            ((ServerConnector) connector).setHost(host);
        }
        proxy.start();
    }
}
