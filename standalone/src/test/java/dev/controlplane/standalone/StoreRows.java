package dev.controlplane.standalone;

import dev.controlplane.jdbcstore.SqlStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** A query's rows as text, every column joined, for tests that compare one store's rows with another's. */
final class StoreRows {

    private StoreRows() {
    }

    static List<String> rows(SqlStore store, String sql) throws SQLException {
        return store.read(c -> {
            List<String> rows = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= columns; i++) {
                        row.append(rs.getString(i)).append('|');
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        });
    }
}
