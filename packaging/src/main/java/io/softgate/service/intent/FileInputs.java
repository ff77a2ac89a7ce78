package io.softgate.service.intent;

import io.softgate.evpn.forwarding.model.RouteIntent;
import io.softgate.service.config.SoftgateConfig;
import io.softgate.service.features.FileFeatureModels;
import java.util.List;

/**
 * What the adapters merge the controller's intent with: the node's configuration file (its VRFs
 * and static routes, its feature sections as models) and the routes BGP EVPN has learned. The
 * snapshot composer implements it over its current inputs; {@link #of} is a fixed file alone.
 *
 * <p>Threading: implementations return immutable values and may be read from any thread.
 */
public interface FileInputs {
    SoftgateConfig config();

    /** The file's feature sections as models; {@link FileFeatureModels#NONE} when it has none. */
    FileFeatureModels features();

    /** The learned routes the forwarding tables hold with the static ones (BGP EVPN). */
    List<RouteIntent> learnedRoutes();

    /** {@code config} alone: no feature models, no learned routes. */
    static FileInputs of(SoftgateConfig config) {
        return new FileInputs() {
            @Override
            public SoftgateConfig config() {
                return config;
            }

            @Override
            public FileFeatureModels features() {
                return FileFeatureModels.NONE;
            }

            @Override
            public List<RouteIntent> learnedRoutes() {
                return List.of();
            }
        };
    }
}
